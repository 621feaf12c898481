//! [`InlineStr`]: an immutable string kept inside the value itself (no heap allocation) when it
//! is short, as most of a policy's pieces are: service prefixes (`s3`, `ec2`), action names
//! (`GetObject`), condition keys and values. Compiling a policy builds tens of these per
//! document; keeping them inline saves an allocation (and a pointer to follow when matching)
//! for each.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// How many bytes fit inline: with the length and the variant tag, the value is 32 bytes.
const CAP: usize = 30;

/// An immutable UTF-8 string, inline up to 30 bytes, on the heap beyond.
///
/// It dereferences to `str`, and compares, orders and hashes as its text does.
///
/// ```
/// use iamwhy_policy::inline::InlineStr;
/// let s = InlineStr::ascii_lowercase("S3");
/// assert_eq!(&*s, "s3");
/// assert_eq!(s, InlineStr::from("s3"));
/// ```
#[derive(Clone)]
pub struct InlineStr(Repr);

#[derive(Clone)]
enum Repr {
    /// `bytes[..len]` is the text.
    Inline {
        len: u8,
        bytes: [u8; CAP],
    },
    Heap(Box<str>),
}

impl InlineStr {
    /// A copy of `s`.
    pub fn new(s: &str) -> InlineStr {
        InlineStr::copied(s, false)
    }

    /// A copy of `s` with ASCII letters lowercased (`str::to_ascii_lowercase`), built in place
    /// when it fits.
    pub fn ascii_lowercase(s: &str) -> InlineStr {
        InlineStr::copied(s, true)
    }

    fn copied(s: &str, lower: bool) -> InlineStr {
        if s.len() > CAP {
            return InlineStr(Repr::Heap(if lower {
                s.to_ascii_lowercase().into_boxed_str()
            } else {
                s.into()
            }));
        }
        // One short loop (lowercasing as it copies) rather than a call to memcpy and another
        // pass: these texts are a few bytes long.
        let mut bytes = [0u8; CAP];
        if lower {
            for (d, b) in bytes.iter_mut().zip(s.bytes()) {
                *d = b.to_ascii_lowercase();
            }
        } else {
            for (d, b) in bytes.iter_mut().zip(s.bytes()) {
                *d = b;
            }
        }
        InlineStr(Repr::Inline {
            len: s.len() as u8,
            bytes,
        })
    }

    /// `s` itself: its allocation is kept when the text does not fit inline.
    pub fn from_string(s: String) -> InlineStr {
        if s.len() > CAP {
            InlineStr(Repr::Heap(s.into_boxed_str()))
        } else {
            InlineStr::new(&s)
        }
    }

    /// The text's bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes were copied from a `str` (ASCII-lowercasing keeps UTF-8 valid), so this
            // cannot fail; checking costs a few nanoseconds on these short texts.
            Repr::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize])
                .expect("an InlineStr holds the bytes of a str"),
            Repr::Heap(s) => s,
        }
    }

    /// Whether the text is on the heap (it was longer than 30 bytes).
    pub fn is_heap(&self) -> bool {
        matches!(self.0, Repr::Heap(_))
    }
}

impl Default for InlineStr {
    fn default() -> InlineStr {
        InlineStr(Repr::Inline {
            len: 0,
            bytes: [0; CAP],
        })
    }
}

impl Deref for InlineStr {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for InlineStr {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for InlineStr {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for InlineStr {
    fn from(s: &str) -> InlineStr {
        InlineStr::new(s)
    }
}

impl From<String> for InlineStr {
    fn from(s: String) -> InlineStr {
        InlineStr::from_string(s)
    }
}

impl PartialEq for InlineStr {
    #[inline]
    fn eq(&self, other: &InlineStr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for InlineStr {}

impl PartialEq<str> for InlineStr {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialOrd for InlineStr {
    #[inline]
    fn partial_cmp(&self, other: &InlineStr) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for InlineStr {
    #[inline]
    fn cmp(&self, other: &InlineStr) -> std::cmp::Ordering {
        // UTF-8 byte order is code point order, as `str`'s.
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for InlineStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    /// Short and long, ASCII and not, at and around the inline capacity: the text reads back
    /// unchanged, compares and hashes as the `str` does, and lowercasing agrees with
    /// `str::to_ascii_lowercase`.
    #[test]
    fn reads_back_compares_and_lowercases_like_str() {
        let texts = [
            "",
            "s3",
            "GetObject",
            "Ünïcödé:Key/ÉÀ",
            &"a".repeat(CAP - 1),
            &"B".repeat(CAP),
            &"c".repeat(CAP + 1),
            &"é".repeat(CAP / 2),
            &"É".repeat(CAP),
        ];
        for t in texts {
            let s = InlineStr::new(t);
            assert_eq!(s.as_str(), t);
            assert_eq!(s.as_bytes(), t.as_bytes());
            assert_eq!(s.is_heap(), t.len() > CAP, "{t:?}");
            assert_eq!(hash_of(&s), hash_of(t));
            assert_eq!(InlineStr::from_string(t.to_string()), s);
            assert_eq!(
                InlineStr::ascii_lowercase(t).as_str(),
                t.to_ascii_lowercase()
            );
            for u in texts {
                assert_eq!(s == InlineStr::new(u), t == u);
                assert_eq!(s.cmp(&InlineStr::new(u)), t.cmp(u));
            }
        }
    }
}
