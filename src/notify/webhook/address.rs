//! Where webhooks may point: public HTTP(S) addresses only, unless the operator allows private
//! ones (`webhook_allow_private`), so that a partner cannot make the server call its own
//! loopback, the cloud metadata service or the internal network (server-side request forgery).
//! Checked when a webhook is registered and again at every delivery, by the resolver the
//! delivery connects through (a name that later resolves elsewhere is refused then).

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use actix_tls::connect::Resolve;
use futures_util::future::LocalBoxFuture;

/// The longest URL accepted.
pub const MAX_URL_CHARS: usize = 2_000;

/// A webhook URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

/// Checks a URL's form: `http` or `https`, a host, no credentials, at most 2,000 characters.
pub fn parse(url: &str) -> Result<Target, String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    if url.chars().any(char::is_control) || url.contains(' ') {
        return Err("must not contain spaces or control characters".into());
    }
    let uri: awc::http::Uri = url.parse().map_err(|_| "is not a URL".to_string())?;
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        Some("http") => 80,
        _ => return Err("must start with https:// or http://".into()),
    };
    let authority = uri.authority().ok_or("must name a host")?;
    if authority.as_str().contains('@') {
        return Err("must not carry credentials".into());
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if host.is_empty() {
        return Err("must name a host".into());
    }
    Ok(Target {
        host,
        port: authority.port_u16().unwrap_or(default_port),
    })
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (carrier-grade NAT), multicast, documentation, benchmarking or otherwise reserved. An IPv6
/// address that carries an IPv4 one (see [`embedded_v4`]) is judged by every IPv4 address it
/// carries as well.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if !embedded_v4(v6).into_iter().all(is_public_v4) {
                return false;
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64, well-known and local-use
                || s[..6].iter().all(|x| *x == 0) // IPv4-compatible (deprecated)
                || v6 == Ipv6Addr::from([0u16, 0, 0, 0, 0, 0, 0, 1]))
        }
    }
}

/// The IPv4 addresses an IPv6 address carries, in every form that reaches IPv4 through it:
/// mapped (`::ffff:a.b.c.d`), compatible (`::a.b.c.d`), SIIT (`::ffff:0:a.b.c.d`), 6to4
/// (`2002:AABB:CCDD::/48`), NAT64 (`64:ff9b::/96`, `64:ff9b:1::/48`) and Teredo (`2001::/32`:
/// its server, and its client, stored inverted).
pub fn embedded_v4(v6: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    let mut found = Vec::new();
    if s[..5].iter().all(|x| *x == 0) && (s[5] == 0xffff || s[5] == 0) {
        found.push(v4(s[6], s[7])); // mapped, compatible
    }
    if s[..4].iter().all(|x| *x == 0) && s[4] == 0xffff && s[5] == 0 {
        found.push(v4(s[6], s[7])); // SIIT
    }
    if s[0] == 0x2002 {
        found.push(v4(s[1], s[2])); // 6to4
    }
    if s[0] == 0x0064 && s[1] == 0xff9b {
        found.push(v4(s[6], s[7])); // NAT64
    }
    if s[0] == 0x2001 && s[1] == 0 {
        found.push(v4(s[2], s[3])); // Teredo server
        found.push(v4(!s[6], !s[7])); // Teredo client
    }
    found
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// Resolves a target and refuses it unless every address is public (`allow_private` skips the
/// check). Blocking: call it off the async executor.
pub fn check_reachable(target: &Target, allow_private: bool) -> Result<(), String> {
    let addrs: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|_| format!("the host {} does not resolve", target.host))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("the host {} does not resolve", target.host));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!(
            "the host {} resolves to a loopback, private or link-local address; webhooks go to \
             public addresses",
            target.host
        ));
    }
    Ok(())
}

/// The resolver deliveries connect through when private addresses are not allowed: it keeps
/// the public addresses of a name and fails when there are none, so that what is checked is
/// what is connected to. (Hosts written as IP addresses are not resolved: the worker checks
/// them before sending.)
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn StdError>>> {
        let host = host.to_string();
        Box::pin(async move {
            let resolved = actix_web::rt::task::spawn_blocking(move || {
                (host.as_str(), port)
                    .to_socket_addrs()
                    .map(|addrs| addrs.collect::<Vec<_>>())
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn StdError>)??;
            let public: Vec<SocketAddr> =
                resolved.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err("the webhook host has no public address".into());
            }
            Ok(public)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "::127.0.0.1",
            "::ffff:0:7f00:1",
            "2002:7f00:1::1",
            "2002:a00:1::1",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "2001:0:a00:1::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "193.51.24.1",
            "2a00:1450:4007:80f::200e",
            "2002:808:808::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials() {
        assert_eq!(
            parse("https://partner.example.org/hooks").unwrap(),
            Target {
                host: "partner.example.org".into(),
                port: 443
            }
        );
        assert_eq!(parse("http://[::1]:8080/x").unwrap().host, "::1");
        assert!(parse("ftp://example.org/").is_err());
        assert!(parse("https://user:pw@example.org/").is_err());
        assert!(parse("example.org/hook").is_err());
        assert!(parse("https://exa mple.org/").is_err());
        assert!(parse(&format!("https://e.org/{}", "a".repeat(2_000))).is_err());
    }

    #[test]
    fn loopback_is_refused_unless_allowed() {
        let target = parse("http://127.0.0.1:9/hook").unwrap();
        assert!(check_reachable(&target, false).is_err());
        assert!(check_reachable(&target, true).is_ok());
        let named = parse("http://localhost:9/hook").unwrap();
        assert!(check_reachable(&named, false).is_err());
    }
}
