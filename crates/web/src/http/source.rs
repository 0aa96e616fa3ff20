//! Where a request comes from: the TCP peer's address or, when the app is
//! configured to sit behind a reverse proxy (`WebConfig::behind_proxy`),
//! the address that proxy put last in `X-Forwarded-For`. Used to throttle
//! failed sign-ins per source; never trust the header without the setting,
//! or anyone could pick a fresh address for every guess.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The source address of a request, if known (requests handed to the
/// router directly, as in some tests, have no peer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source(pub Option<IpAddr>);

impl Source {
    /// What failures are counted under: an IPv4 address as it is, an IPv6
    /// address by its /64 network (one subscriber commonly has a whole
    /// /64, so counting single addresses would not hold anyone back).
    pub fn key(&self) -> String {
        let name = match self.0.map(canonical) {
            Some(IpAddr::V4(a)) => a.to_string(),
            Some(IpAddr::V6(a)) => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            None => "unknown".to_string(),
        };
        thirdplace_store::source_key(&name)
    }

    /// The address as a person reads it in their list of sessions
    /// (IPv4 mapped into IPv6 shown as IPv4), if known.
    pub fn address(&self) -> Option<String> {
        self.0.map(|a| canonical(a).to_string())
    }
}

/// IPv4 addresses that arrive mapped into IPv6 count as IPv4.
fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(a),
        v4 => v4,
    }
}

/// The address a trusted proxy appended: the last one in the last
/// `X-Forwarded-For` header (what the client sent before it may be forged).
pub fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let addr = last.to_str().ok()?.rsplit(',').next()?.trim();
    addr.parse::<IpAddr>()
        .ok()
        .or_else(|| addr.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl FromRequestParts<AppState> for Source {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = state
            .config
            .behind_proxy
            .then(|| forwarded_for(&parts.headers))
            .flatten();
        Ok(Source(forwarded.or(peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_proxys_own_entry_is_the_last_one() {
        let mut h = HeaderMap::new();
        assert_eq!(forwarded_for(&h), None);
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(forwarded_for(&h), Some("203.0.113.7".parse().unwrap()));
        h.append("x-forwarded-for", HeaderValue::from_static("198.51.100.2"));
        assert_eq!(forwarded_for(&h), Some("198.51.100.2".parse().unwrap()));
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(forwarded_for(&h), None);
    }

    #[test]
    fn ipv6_sources_are_counted_by_their_network() {
        let a = Source(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = Source(Some("2001:db8:1:2:bbbb::9".parse().unwrap()));
        let c = Source(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        assert_eq!(a.key(), "source:2001:db8:1:2::/64");
        let mapped = Source(Some("::ffff:192.0.2.1".parse().unwrap()));
        assert_eq!(mapped.key(), "source:192.0.2.1");
        assert_eq!(Source(None).key(), "source:unknown");
    }
}
