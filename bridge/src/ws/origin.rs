//! The websocket's `Origin` check: a browser opens `/ws` only from a page of the bridge's own
//! origin or of one of `server.embed_allowed_origins` (the portals that embed the terminal,
//! docs/EMBEDDING.md). Browsers always send `Origin` on a websocket upgrade and pages cannot
//! forge it, so this stops another site's page from driving a user's session with the user's
//! cookies or network position (cross-site websocket hijacking). Clients that are not
//! browsers (tools, tests, `web3270-load`) send no `Origin` and are not concerned.
//!
//! Pure: the decision from the header values, so it is tested without a server.

/// Whether a websocket upgrade with these headers may proceed.
///
/// - no `Origin`: yes (not a browser);
/// - `Origin: null` (sandboxed frames, `file:` pages): no;
/// - the origin's `host[:port]` equals the request's `Host` (or `X-Forwarded-Host`, set by a
///   reverse proxy in front of the bridge): yes, the page came from the bridge;
/// - the origin is one of `allowed` (scheme, host and port compared, case-insensitively): yes.
pub fn allowed(
    origin: Option<&str>,
    host: Option<&str>,
    forwarded_host: Option<&str>,
    allowed: &[String],
) -> bool {
    let Some(origin) = origin.map(str::trim) else {
        return true;
    };
    let Some((scheme, authority)) = parts(origin) else {
        return false;
    };
    let same_host = |h: Option<&str>| {
        h.and_then(|h| h.split(',').next())
            .map(str::trim)
            .is_some_and(|h| same_authority(scheme, authority, h))
    };
    if same_host(forwarded_host) || same_host(host) {
        return true;
    }
    allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

/// The scheme and `host[:port]` of a serialised origin `scheme://host[:port]`; `None` for
/// `null` or junk.
fn parts(origin: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = origin.split_once("://")?;
    if scheme.is_empty() || rest.is_empty() || rest.contains('/') {
        return None;
    }
    Some((scheme, rest))
}

/// Whether the origin's authority names the same host and port as the `Host` header value,
/// a missing port meaning the scheme's default.
fn same_authority(scheme: &str, authority: &str, host: &str) -> bool {
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else {
        "80"
    };
    let split = |a: &str| -> (String, String) {
        // [v6]:port, host:port, or host alone.
        let (h, p) = match a.rfind(':') {
            Some(i) if !a[i..].contains(']') => (&a[..i], &a[i + 1..]),
            _ => (a, default_port),
        };
        (h.to_ascii_lowercase(), p.to_owned())
    };
    split(authority) == split(host)
}

#[cfg(test)]
mod tests {
    use super::allowed;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn no_origin_is_not_a_browser() {
        assert!(allowed(None, Some("bridge:8080"), None, &[]));
    }

    #[test]
    fn same_origin_pages_pass() {
        assert!(allowed(
            Some("http://bridge:8080"),
            Some("bridge:8080"),
            None,
            &[]
        ));
        assert!(allowed(
            Some("http://BRIDGE:8080"),
            Some("bridge:8080"),
            None,
            &[]
        ));
        assert!(allowed(
            Some("https://bridge"),
            Some("bridge:443"),
            None,
            &[]
        ));
        assert!(allowed(Some("http://bridge"), Some("bridge"), None, &[]));
        assert!(allowed(
            Some("http://[::1]:8080"),
            Some("[::1]:8080"),
            None,
            &[]
        ));
    }

    #[test]
    fn behind_a_proxy_the_forwarded_host_counts() {
        assert!(allowed(
            Some("https://tn3270.example.com"),
            Some("10.0.0.5:8080"),
            Some("tn3270.example.com"),
            &[]
        ));
    }

    #[test]
    fn other_origins_need_the_allow_list() {
        let portal = list(&["https://portal.example.com"]);
        assert!(!allowed(
            Some("https://evil.example"),
            Some("bridge:8080"),
            None,
            &portal
        ));
        assert!(allowed(
            Some("https://portal.example.com"),
            Some("bridge:8080"),
            None,
            &portal
        ));
        assert!(!allowed(
            Some("http://portal.example.com"),
            Some("bridge:8080"),
            None,
            &portal
        ));
        // Another port of the same host is another origin.
        assert!(!allowed(
            Some("http://bridge:9090"),
            Some("bridge:8080"),
            None,
            &[]
        ));
    }

    #[test]
    fn null_and_junk_origins_are_refused() {
        assert!(!allowed(Some("null"), Some("bridge:8080"), None, &[]));
        assert!(!allowed(
            Some("bridge:8080"),
            Some("bridge:8080"),
            None,
            &[]
        ));
        assert!(!allowed(
            Some("http://bridge:8080/x"),
            Some("bridge:8080"),
            None,
            &[]
        ));
        assert!(!allowed(Some("aaaé://x"), Some("bridge:8080"), None, &[]));
    }
}
