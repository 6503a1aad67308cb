//! The config loader, fuzzed: arbitrary bytes and generated TOML-ish text
//! written to a config file and loaded give a configuration or a clear
//! error that names the file, never a panic; and a file that loads, turned
//! into a connection context, is accepted or refused with a message that
//! is safe on a terminal (config text is the user's, but it may have been
//! pasted from anywhere).
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::select;
use r7keys::cli::{ConnectionArgs, OutputFormat};
use r7keys::commands::Context;
use r7keys::config::{self, ConfigPath, max_key_age_days};

/// Every setting a profile has, and a few it has not.
const KEYS: [&str; 36] = [
    "default_profile",
    "region",
    "endpoint",
    "tc_endpoint",
    "api_key_file",
    "api_key_command",
    "email",
    "key_id",
    "tenant",
    "read_only",
    "page_size",
    "concurrency",
    "connect_timeout_secs",
    "request_timeout_secs",
    "retries",
    "ca_cert",
    "multi_tenant_admin_types",
    "multi_tenant_user_types",
    "theme",
    "clipboard_clear_secs",
    "journal",
    "tc_account_id",
    "tc_api_key_file",
    "tc_api_key_command",
    "api_key_command_timeout_secs",
    "deadline_secs",
    "max_pages",
    "max_key_age",
    "profiles",
    "regoin",
    "\"quoted key\"",
    "\"\\u001b[2J\"",
    "\"\\u202eevil\"",
    "'lit\u{1b}eral'",
    "ключ",
    "a.b.c",
];

const VALUES: [&str; 36] = [
    "\"us\"",
    "\"eu\"",
    "\"https://{region}.api.insight.rapid7.com\"",
    "\"http://127.0.0.1:1/{region}\"",
    "\"ftp://x\"",
    "'literal'",
    "\"\"\"multi\nline\"\"\"",
    "\"\\u001b]52;c;ZXZpbA==\\u0007\"",
    "\"\\u202e\\u2066\"",
    "\"unterminated",
    "0",
    "1",
    "-1",
    "1000",
    "1001",
    "257",
    "9223372036854775807",
    "18446744073709551616",
    "-9223372036854775808",
    "1e400",
    "nan",
    "-inf",
    "0.5",
    "true",
    "false",
    "maybe",
    "1979-05-27T07:32:00Z",
    "[]",
    "[1, \"a\", [true]]",
    "[\"ENTERPRISE_ADMIN\"]",
    "{ a = 1 }",
    "\"90d\"",
    "\"0s\"",
    "\"99999999999999999999y\"",
    "\"12w\"",
    "\"\u{1b}[2J\"",
];

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (select(KEYS.to_vec()), select(VALUES.to_vec())).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => select(vec![
            "[profiles.us]",
            "[profiles.eu]",
            "[profiles.\"né ☃\"]",
            "[[profiles]]",
            "[profiles]",
            "[region]",
            "[profiles.us.inner]",
            "[profiles.us]\n[profiles.us]",
            "default_profile = \"us\"",
            "default_profile = \"nowhere\"",
            "# a comment \u{1b}[2J",
            "",
        ])
        .prop_map(str::to_string),
        1 => "[ -~]{0,16}",
        1 => any::<String>(),
    ]
}

/// Text that is mostly TOML, then mutated a little (a character inserted,
/// one dropped), multibyte characters included.
fn tomlish() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(line(), 0..10),
        proptest::collection::vec((any::<usize>(), any::<char>(), any::<bool>()), 0..3),
    )
        .prop_map(|(lines, mutations)| {
            let mut chars: Vec<char> = lines.join("\n").chars().collect();
            for (at, c, insert) in mutations {
                let at = at % (chars.len() + 1);
                if insert {
                    chars.insert(at, c);
                } else if at < chars.len() {
                    chars.remove(at);
                }
            }
            chars.into_iter().collect()
        })
}

/// A config file of this test's own, removed when the test ends.
struct File(PathBuf);

impl File {
    fn new(name: &str) -> File {
        File(std::env::temp_dir().join(format!(
            "r7keys-props-config-{}-{name}.toml",
            std::process::id()
        )))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a terminal would obey, or reorder by.
fn unsafe_for_a_terminal(message: &str) -> bool {
    message.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    })
}

/// Loads `bytes` as the named config file: a configuration, or an error
/// that names the file and is safe to print; then the connection context.
fn check(file: &File, bytes: &[u8], profile: Option<String>) -> Result<(), TestCaseError> {
    std::fs::write(file.path(), bytes).unwrap();
    let named = ConfigPath {
        path: file.path().to_path_buf(),
        named: true,
    };
    let shown = file.path().display().to_string();
    let loaded = match config::load(Some(&named)) {
        Ok(loaded) => loaded,
        Err(error) => {
            prop_assert!(
                error.0.starts_with(&format!("config file {shown}")),
                "{:?}",
                error.0
            );
            prop_assert!(!unsafe_for_a_terminal(&error.0), "{:?}", error.0);
            return Ok(());
        }
    };
    for profile in loaded.profiles.values() {
        if let Err(error) = max_key_age_days(profile) {
            prop_assert!(error.0.starts_with("max_key_age = "), "{:?}", error.0);
            prop_assert!(!unsafe_for_a_terminal(&error.0), "{:?}", error.0);
        }
    }
    let args = ConnectionArgs {
        config: Some(file.path().to_path_buf()),
        profile,
        output: Some(OutputFormat::Json),
        no_journal: true,
        ..ConnectionArgs::default()
    };
    if let Err(error) = Context::resolve(&args) {
        let message = error.to_string();
        prop_assert!(!message.trim().is_empty());
        prop_assert!(!unsafe_for_a_terminal(&message), "{:?}", message);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_load_or_name_the_file(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let file = File::new("bytes");
        check(&file, &bytes, None)?;
    }

    #[test]
    fn tomlish_text_loads_or_names_the_file(
        text in tomlish(),
        profile in proptest::option::of(select(vec!["us", "eu", "né ☃", "missing"]).prop_map(str::to_string)),
    ) {
        let file = File::new("tomlish");
        check(&file, text.as_bytes(), profile)?;
    }
}

/// One profile's settings, every key a real one, the values any of the
/// list: most such files load, so the connection context is reached.
fn profile_file() -> impl Strategy<Value = String> {
    proptest::collection::btree_map(select(KEYS[1..28].to_vec()), select(VALUES.to_vec()), 0..6)
        .prop_map(|settings| {
            let lines: Vec<String> = settings
                .into_iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            format!(
                "default_profile = \"us\"\n[profiles.us]\n{}\n",
                lines.join("\n")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_profile_settings_resolve_or_say_which(text in profile_file()) {
        let file = File::new("profile");
        check(&file, text.as_bytes(), None)?;
    }
}

/// A file that is not UTF-8 is refused with its path, not read as garbage.
#[test]
fn a_file_that_is_not_utf8_names_the_file() {
    let file = File::new("latin1");
    std::fs::write(file.path(), b"region = \"caf\xe9\"\n").unwrap();
    let error = config::load(Some(&ConfigPath {
        path: file.path().to_path_buf(),
        named: true,
    }))
    .unwrap_err();
    assert!(
        error
            .0
            .starts_with(&format!("config file {}", file.path().display())),
        "{error}"
    );
}
