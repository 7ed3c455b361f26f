//! JSON Pointer (RFC 6901) routes into documents.

use std::borrow::Cow;

/// The unescaped tokens of a pointer; `""` is the whole document.
pub fn tokens(path: &str) -> impl Iterator<Item = Cow<'_, str>> {
    path.split('/').skip(1).map(unescape)
}

pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// `base` + one more token.
pub fn push(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    out.push_str(&escape(token));
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
    }
}
