//! World loading and resolution errors: one clear sentence, with the file, the JSON path and
//! the line and column where there is one.

use std::fmt;

/// Something wrong with a world or a question about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldError {
    /// The file (relative to the world directory), when the problem is in one.
    pub file: Option<String>,
    /// The JSON path inside the file (`RoleDetailList[3].RolePolicyList[0]`), when known.
    pub json_path: Option<String>,
    /// 1-based line and column, when known.
    pub position: Option<(u32, u32)>,
    /// One sentence.
    pub message: String,
}

impl WorldError {
    /// An error not tied to a file (an unknown principal, say).
    pub fn new(message: impl Into<String>) -> WorldError {
        WorldError {
            file: None,
            json_path: None,
            position: None,
            message: message.into(),
        }
    }

    /// An error in a file.
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> WorldError {
        WorldError {
            file: Some(file.into()),
            ..WorldError::new(message)
        }
    }

    /// Add the JSON path.
    pub fn at(mut self, path: impl Into<String>) -> WorldError {
        self.json_path = Some(path.into());
        self
    }
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some((line, column)) = self.position {
                write!(f, ":{line}:{column}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(path) = &self.json_path
            && !path.is_empty()
            && path != "."
        {
            write!(f, "at {path}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorldError {}

/// Deserialize `text` as `T`, turning a failure into a located [`WorldError`].
pub fn from_json<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, WorldError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let (line, column) = (inner.line() as u32, inner.column() as u32);
        let message = match inner.classify() {
            serde_json::error::Category::Eof => {
                "the file ends too early (truncated JSON?)".to_string()
            }
            serde_json::error::Category::Syntax => format!("not valid JSON: {inner}"),
            _ => {
                let text = inner.to_string();
                match text.rfind(" at line ") {
                    Some(at) => text[..at].to_string(),
                    None => text,
                }
            }
        };
        WorldError {
            file: Some(file.to_string()),
            json_path: Some(path),
            position: (line > 0).then_some((line, column)),
            message,
        }
    })
}
