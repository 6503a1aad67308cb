//! Organizations, managed organizations (tenants) and users.

use super::client::{Client, Target};
use super::decode::{self, RawOrganization, RawUser};
use super::error::ApiError;
use super::model::{Organization, User};
use super::paging::{self, ListRequest};

impl Client {
    async fn org_list(&self, target: &Target, path: &str) -> Result<Vec<Organization>, ApiError> {
        let request = ListRequest {
            target,
            path,
            query: Vec::new(),
        };
        let raw: Vec<RawOrganization> = paging::collect(self, &request).await?;
        Ok(raw
            .into_iter()
            .filter_map(RawOrganization::into_org)
            .collect())
    }

    /// The organizations the key can reach.
    pub async fn organizations(&self, target: &Target) -> Result<Vec<Organization>, ApiError> {
        self.org_list(target, "/account/api/1/organizations").await
    }

    /// The tenants the primary account manages, with their regions.
    pub async fn managed_organizations(
        &self,
        target: &Target,
    ) -> Result<Vec<Organization>, ApiError> {
        self.org_list(target, "/account/api/1/managed-organizations")
            .await
    }

    /// Every user of the organization the target acts in.
    pub async fn users(&self, target: &Target) -> Result<Vec<User>, ApiError> {
        let request = ListRequest {
            target,
            path: "/account/api/1/users",
            query: Vec::new(),
        };
        let raw: Vec<RawUser> = paging::collect(self, &request).await?;
        Ok(raw.into_iter().map(RawUser::into_user).collect())
    }

    /// The user with this email, if any (tells whether they are a platform admin).
    pub async fn user_by_email(
        &self,
        target: &Target,
        email: &str,
    ) -> Result<Option<User>, ApiError> {
        let users = self
            .get(
                target,
                "/account/api/1/users",
                vec![("email", email.to_string())],
                decode::list::<RawUser>,
            )
            .await?;
        Ok(users.items.into_iter().map(RawUser::into_user).find(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        }))
    }
}
