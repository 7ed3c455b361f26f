//! JSON Pointer (RFC 6901) routes into documents.

use std::borrow::Cow;

/// The unescaped tokens of a pointer; `""` is the whole document.
pub fn tokens(path: &str) -> impl Iterator<Item = Cow<'_, str>> {
    path.split('/').skip(1).map(unescape)
}

pub fn unescape(token: &str) -> Cow<'_, str> {
    if !token.contains('~') {
        return Cow::Borrowed(token);
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('~', Some('1')) => {
                out.push('/');
                chars.next();
            }
            ('~', Some('0')) => {
                out.push('~');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        let mut out = String::with_capacity(token.len() + 4);
        push_escaped(&mut out, token);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(token)
    }
}

fn push_escaped(out: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// `base` + one more token.
pub fn push(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 5);
    out.push_str(base);
    out.push('/');
    push_escaped(&mut out, token);
    out
}

/// Splits `/a/b/c` into (`/a/b`, `c`).
pub fn split_last(path: &str) -> Option<(&str, Cow<'_, str>)> {
    let slash = path.rfind('/')?;
    Some((&path[..slash], unescape(&path[slash + 1..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_keys_escape_their_slashes() {
        let p = push("/metadata/annotations", "service.beta.kubernetes.io/backend-type");
        assert_eq!(p, "/metadata/annotations/service.beta.kubernetes.io~1backend-type");
        let toks: Vec<_> = tokens(&p).collect();
        assert_eq!(toks.last().unwrap(), "service.beta.kubernetes.io/backend-type");
        assert_eq!(split_last(&p).unwrap().1, "service.beta.kubernetes.io/backend-type");
        // `~01` is an escaped `~` then `1`, not a `/`.
        assert_eq!(unescape("a~01~1b~0"), "a~1/b~");
        assert_eq!(escape("a~1/b"), "a~01~1b");
    }
}
