//! People beyond the fixture's four: built here, written by the test.

use super::app::TestApp;
use thirdplace_domain::{new_id, Email, Person};
use uuid::Uuid;

/// A person with no roles, of `org` if given.
pub fn person(first: &str, last: &str, email: &str, org: Option<Uuid>) -> Person {
    Person {
        id: new_id(),
        first_name: first.into(),
        last_name: last.into(),
        email: Email::parse(email).unwrap(),
        organisation_id: org,
        is_network_admin: false,
        hosted_hub_ids: vec![],
        admin_of_organisation_ids: vec![],
        staff_of_operator_ids: vec![],
        archived: false,
    }
}

impl TestApp {
    /// Writes `p` through the store and gives it back.
    pub async fn add_person(&self, p: Person) -> Person {
        self.store.insert_person(&p).await.unwrap();
        p
    }
}

impl TestApp {
    /// Oskar, a member of the fixture's other organisation.
    pub async fn add_other_member(&self) -> Person {
        self.add_person(person(
            "Oskar",
            "Testsson",
            "othermember@test.example",
            Some(self.f.other_org.id),
        ))
        .await
    }

    /// Otto, the host of the fixture's other hub.
    pub async fn add_other_host(&self) -> Person {
        self.add_person(Person {
            hosted_hub_ids: vec![self.f.other_hub.id],
            ..person("Otto", "Testsson", "otherhost@test.example", None)
        })
        .await
    }
}
