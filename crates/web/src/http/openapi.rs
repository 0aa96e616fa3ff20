//! The answers every operation can give, added to the OpenAPI document once
//! instead of in each handler's annotation: a request that does not parse
//! (400), a token that is missing or wrong where one is required (401), an
//! id in the path that names nothing (404) and a body that breaks a rule
//! (422). All of them have the error shape ([`super::error::ErrorBody`]).
//! schemathesis (`apicheck/run.sh`) holds the document to what the server
//! answers.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn add_common_errors(op: &mut Operation) {
    let has_path_id = op
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let needs_token = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add = |status: &str, when: bool, description: &str| {
        if when && !op.responses.responses.contains_key(status) {
            op.responses
                .responses
                .insert(status.to_owned(), error_response(description));
        }
    };
    add(
        "400",
        true,
        "The request could not be read: a query string, path or JSON body that does not parse",
    );
    add(
        "401",
        needs_token,
        "No token, or one that is unknown, revoked or expired",
    );
    add("404", has_path_id, "Nothing has the id in the path");
    add(
        "422",
        op.request_body.is_some(),
        "The body breaks a rule; the message says which",
    );
}

/// Adds the common error answers to every operation of `doc`.
pub fn document_common_errors(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_common_errors(op);
        }
    }
}
