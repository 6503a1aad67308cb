//! Threat Command: HTTP Basic (account ID : API key), the MSSP `Account-Id`
//! header, and only the real endpoints (contract section 7).

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::client::status_error;
use super::error::ApiError;
use super::secret::ApiKey;
use crate::region::Region;
use crate::sanitize::sanitize;

/// Threat Command credentials.
pub struct TcCredentials {
    pub account_id: String,
    pub api_key: ApiKey,
}

/// The Threat Command client.
pub struct TcClient {
    http: reqwest::Client,
    base: String,
    credentials: TcCredentials,
    /// An MSSP customer to act as (`Account-Id`).
    pub customer: Option<String>,
}

/// Asset usage against the limit.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct UsedAssets {
    pub assets_limit: Option<u64>,
    pub assets_count: Option<u64>,
}

/// Enrichment credits.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Quota {
    pub time_period: Option<String>,
    pub total: Option<u64>,
    pub remaining: Option<u64>,
}

#[derive(Deserialize)]
struct QuotaBody {
    #[serde(rename = "EnrichIocsQuota")]
    quota: Quota,
}

/// An MSSP customer.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Customer {
    #[serde(rename = "_id")]
    pub id: Option<String>,
    #[serde(rename = "CompanyName")]
    pub company_name: Option<String>,
    #[serde(rename = "Status")]
    pub status: Option<String>,
    #[serde(rename = "Note")]
    pub note: Option<String>,
}

impl TcClient {
    pub fn new(http: reqwest::Client, base: &str, credentials: TcCredentials) -> Self {
        TcClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            credentials,
            customer: None,
        }
    }

    pub fn account_id(&self) -> &str {
        &self.credentials.account_id
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}/public/v1{path}", self.base))
            .basic_auth(
                &self.credentials.account_id,
                Some(self.credentials.api_key.expose()),
            );
        if let Some(customer) = &self.customer {
            request = request.header("Account-Id", customer);
        }
        request
    }

    fn network(error: &reqwest::Error) -> ApiError {
        if error.is_timeout() {
            ApiError::Timeout {
                what: "no answer from Threat Command".into(),
            }
        } else {
            ApiError::Network {
                detail: sanitize(&error.to_string()).into_owned(),
            }
        }
    }

    /// `HEAD /test-credentials`: whether the credentials work.
    pub async fn test_credentials(&self) -> Result<bool, ApiError> {
        let response = self
            .request(reqwest::Method::HEAD, "/test-credentials")
            .send()
            .await
            .map_err(|e| Self::network(&e))?;
        match response.status() {
            StatusCode::OK | StatusCode::NO_CONTENT => Ok(true),
            StatusCode::UNAUTHORIZED => Ok(false),
            status => Err(status_error(status, b"", Region::Us, 1)),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .map_err(|e| Self::network(&e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| Self::network(&e))?;
        if !status.is_success() {
            // Threat Command errors are plain-text codes, shown verbatim (sanitized).
            return Err(match status {
                StatusCode::UNAUTHORIZED => ApiError::Refused {
                    status: 401,
                    message: "Threat Command refused the credentials (account ID and API key)"
                        .into(),
                },
                _ => status_error(status, &body, Region::Us, 1),
            });
        }
        serde_json::from_slice(&body).map_err(|e| ApiError::Unreadable {
            detail: sanitize(&e.to_string()).into_owned(),
        })
    }

    pub async fn system_modules(&self) -> Result<BTreeMap<String, bool>, ApiError> {
        self.get("/account/system-modules").await
    }

    pub async fn used_assets(&self) -> Result<UsedAssets, ApiError> {
        self.get("/account/used-assets").await
    }

    pub async fn enrichment_quota(&self) -> Result<Quota, ApiError> {
        self.get::<QuotaBody>("/iocs/quota").await.map(|b| b.quota)
    }

    pub async fn mssp_customers(&self) -> Result<Vec<Customer>, ApiError> {
        self.get("/mssp/customers").await
    }
}
