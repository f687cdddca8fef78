//! Where the load goes: an `http://` URL parsed into an address, a `Host`
//! header and a path, and refused unless the address is this machine's
//! (loopback or one of its own interfaces). A load generator pointed at
//! somebody else's server is an attack, so the check is not optional.

use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// A parsed, allowed target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The URL as given (for the report).
    pub url: String,
    pub addr: SocketAddr,
    /// The `Host` header: the URL's authority.
    pub host: String,
    /// Path and query, starting with `/`.
    pub path: String,
}

/// Why a URL cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TargetError {
    BadUrl(String),
    Unresolved(String),
    NotLocal { url: String, addrs: Vec<IpAddr> },
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::BadUrl(why) => write!(f, "{why}"),
            TargetError::Unresolved(why) => write!(f, "{why}"),
            TargetError::NotLocal { url, addrs } => {
                let list: Vec<String> = addrs.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "refusing to load {url} ({}): only loopback (127.0.0.1, ::1) or this machine's own addresses may be loaded",
                    list.join(", ")
                )
            }
        }
    }
}

impl Target {
    /// Parses `http://HOST[:PORT][/PATH]` and checks the address against
    /// `own` (this machine's interface addresses, see `sys::net::own_addresses`).
    pub(crate) fn parse(url: &str, own: &[IpAddr]) -> Result<Target, TargetError> {
        let (host, port, path) = split_url(url)?;
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => (host.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| TargetError::Unresolved(format!("cannot resolve {host}: {e}")))?
                .collect(),
        };
        let allowed = |a: &SocketAddr| a.ip().is_loopback() || own.contains(&a.ip());
        match addrs.iter().find(|a| allowed(a)) {
            Some(addr) => Ok(Target {
                url: url.to_string(),
                addr: *addr,
                host: authority(url),
                path,
            }),
            None if addrs.is_empty() => Err(TargetError::Unresolved(format!(
                "{host} resolves to no address"
            ))),
            None => Err(TargetError::NotLocal {
                url: url.to_string(),
                addrs: addrs.iter().map(SocketAddr::ip).collect(),
            }),
        }
    }
}

/// The part between `http://` and the path, as the `Host` header wants it.
fn authority(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// Splits a URL into host (brackets removed from IPv6), port and path.
fn split_url(url: &str) -> Result<(String, u16, String), TargetError> {
    let bad = |why: &str| TargetError::BadUrl(format!("bad URL {url:?}: {why}"));
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(if url.starts_with("https://") {
            bad("https is not supported (plain http:// only)")
        } else {
            bad("expected http://HOST[:PORT][/PATH]")
        });
    };
    let (auth, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    if path.contains(|c: char| c.is_ascii_whitespace() || c.is_ascii_control()) {
        return Err(bad("the path contains spaces or control characters"));
    }
    let path = path.split('#').next().unwrap_or("/").to_string();
    let (host, port) = if let Some(v6) = auth.strip_prefix('[') {
        let Some((host, after)) = v6.split_once(']') else {
            return Err(bad("unclosed [ in the host"));
        };
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return Err(bad("junk after the IPv6 address")),
        }
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (auth, None),
        }
    };
    if host.is_empty() || host.contains('@') {
        return Err(bad("no host (or user info, which is not supported)"));
    }
    let port = match port {
        None => 80,
        Some(p) => match p.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => return Err(bad("the port must be 1-65535")),
        },
    };
    Ok((host.to_string(), port, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_parse() {
        let t = Target::parse("http://127.0.0.1:8080/8k.bin?x=1", &[]).unwrap();
        assert_eq!(t.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(t.host, "127.0.0.1:8080");
        assert_eq!(t.path, "/8k.bin?x=1");
        let t = Target::parse("http://[::1]:9000", &[]).unwrap();
        assert_eq!(t.addr, "[::1]:9000".parse().unwrap());
        assert_eq!(t.path, "/");
        let t = Target::parse("http://127.0.0.2", &[]).unwrap();
        assert_eq!(t.addr.port(), 80);
    }

    #[test]
    fn other_machines_are_refused_unless_they_are_ours() {
        let err = Target::parse("http://203.0.113.9:80/", &[]).unwrap_err();
        assert!(err.to_string().contains("refusing to load"), "{err}");
        let ours: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(Target::parse("http://203.0.113.9:80/", &[ours]).is_ok());
    }

    #[test]
    fn bad_urls_say_why() {
        for (url, why) in [
            ("https://127.0.0.1/", "https"),
            ("127.0.0.1:80", "expected http://"),
            ("http://127.0.0.1:0/", "port"),
            ("http://127.0.0.1:99999/", "port"),
            ("http://[::1/", "unclosed"),
            ("http://:80/", "no host"),
            ("http://127.0.0.1/a b", "spaces"),
        ] {
            let err = Target::parse(url, &[]).unwrap_err().to_string();
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn loopback_is_among_own_addresses() {
        let own = crate::sys::net::own_addresses();
        // Where the OS lists its addresses (Unix), loopback is among them.
        if !own.is_empty() {
            assert!(own.iter().any(IpAddr::is_loopback), "{own:?}");
        }
    }
}
