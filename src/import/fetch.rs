//! "Copy as fetch" (Chromium and Firefox, one call or "Copy all as fetch") and Chromium's
//! "Copy as fetch (Node.js)".
//!
//! DevTools writes `fetch(URL, OPTIONS);` where the options are `JSON.stringify` output
//! (Chromium: `fetch("…", {…});` joined by ` ;\n`; Firefox: `await fetch("…", {…});` with
//! the URL not JSON-escaped). The reader below accepts that and what people do to it when
//! editing, a small JavaScript subset:
//!
//! - calls `fetch(url)` or `fetch(url, options)`, each optionally after `await`, separated
//!   by `;`, blank space and comments (`//`, `/* */`);
//! - values: strings in `"`, `'` or backticks without `${}` (escapes `\n \r \t \b \f \v \0
//!   \xHH \uHHHH \u{H…}`, line continuations), numbers, `true`, `false`, `null`,
//!   `undefined`, arrays, and objects whose keys are strings or identifiers, trailing commas allowed.
//!
//! Anything else (a variable, `JSON.stringify(…)`, a template with `${}`) is an error naming
//! its line. Options read: `method`, `headers` (an object, or an array of pairs), `body`
//! (a string), `credentials`, `mode`; `referrer` gives the page's origin; the rest
//! (`referrerPolicy`, `cache`, `redirect`, `signal`, ...) is noted where it matters.

use super::rules::{origin_of, RecordedRequest};
use super::{ImportError, ImportNote, NoteLevel};
use crate::suite::Credentials;

/// A JavaScript literal value.
#[derive(Clone, Debug, PartialEq)]
enum Js {
    Null,
    Undefined,
    Bool(bool),
    Number(f64),
    Str(String),
    Array(Vec<Js>),
    Object(Vec<(String, Js, usize)>),
}

impl Js {
    fn kind(&self) -> &'static str {
        match self {
            Js::Null => "null",
            Js::Undefined => "undefined",
            Js::Bool(_) => "a boolean",
            Js::Number(_) => "a number",
            Js::Str(_) => "a string",
            Js::Array(_) => "an array",
            Js::Object(_) => "an object",
        }
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    _text: &'a str,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { chars: text.chars().collect(), pos: 0, line: 1, _text: text }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::at_line(self.line, message)
    }

    /// Skips blanks and comments.
    fn skip(&mut self) -> Result<(), ImportError> {
        loop {
            match (self.peek(), self.chars.get(self.pos + 1).copied()) {
                (Some(c), _) if c.is_whitespace() || c == '\u{feff}' => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    let line = self.line;
                    self.pos += 2;
                    loop {
                        match self.bump() {
                            Some('*') if self.peek() == Some('/') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                            None => {
                                return Err(ImportError::at_line(line, "a /* comment never closes"))
                            }
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn identifier(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_alphanumeric() || *c == '_' || *c == '$') {
            name.push(c);
            self.bump();
        }
        name
    }

    fn expect(&mut self, wanted: char, what: &str) -> Result<(), ImportError> {
        self.skip()?;
        match self.peek() {
            Some(c) if c == wanted => {
                self.bump();
                Ok(())
            }
            Some(c) => Err(self.error(format!("expected {what}, found `{c}`"))),
            None => Err(self.error(format!("expected {what}, found the end of the input"))),
        }
    }

    fn value(&mut self) -> Result<Js, ImportError> {
        self.skip()?;
        let Some(c) = self.peek() else {
            return Err(self.error("expected a value, found the end of the input"));
        };
        match c {
            '"' | '\'' | '`' => self.string().map(Js::Str),
            '{' => self.object(),
            '[' => self.array(),
            '-' | '+' | '.' | '0'..='9' => self.number(),
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let line = self.line;
                match self.identifier().as_str() {
                    "null" => Ok(Js::Null),
                    "undefined" => Ok(Js::Undefined),
                    "true" => Ok(Js::Bool(true)),
                    "false" => Ok(Js::Bool(false)),
                    other => Err(ImportError::at_line(
                        line,
                        format!("`{other}` is not a literal: only strings, numbers, true, false, null, arrays and objects are read"),
                    )),
                }
            }
            c => Err(self.error(format!("expected a value, found `{c}`"))),
        }
    }

    fn number(&mut self) -> Result<Js, ImportError> {
        let mut text = String::new();
        while let Some(c) = self.peek().filter(|c| c.is_ascii_alphanumeric() || "+-.".contains(*c))
        {
            text.push(c);
            self.bump();
        }
        text.parse::<f64>()
            .map(Js::Number)
            .map_err(|_| self.error(format!("`{text}` is not a number")))
    }

    fn string(&mut self) -> Result<String, ImportError> {
        let line = self.line;
        let quote = self.bump().unwrap_or('"');
        let unclosed = || {
            ImportError::at_line(
                line,
                format!("unbalanced {quote}: the string opens here and never closes"),
            )
        };
        let mut out = String::new();
        loop {
            let c = self.bump().ok_or_else(unclosed)?;
            match c {
                c if c == quote => return Ok(out),
                '\n' if quote != '`' => return Err(unclosed()),
                '$' if quote == '`' && self.peek() == Some('{') => {
                    return Err(self
                        .error("a template literal with ${…} cannot be read; write the value out"))
                }
                '\\' => {
                    let e = self.bump().ok_or_else(unclosed)?;
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'v' => out.push('\u{b}'),
                        '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => out.push('\0'),
                        '\n' => {}
                        '\r' => {
                            if self.peek() == Some('\n') {
                                self.bump();
                            }
                        }
                        'x' => {
                            let code = self.hex(2)?;
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        'u' => {
                            let code = self.unicode_escape()?;
                            // A surrogate pair written as two escapes is one character.
                            if (0xD800..0xDC00).contains(&code)
                                && self.peek() == Some('\\')
                                && self.chars.get(self.pos + 1) == Some(&'u')
                            {
                                self.pos += 2;
                                let low = self.unicode_escape()?;
                                let pair = 0x10000
                                    + ((code - 0xD800) << 10)
                                    + (low.wrapping_sub(0xDC00) & 0x3FF);
                                out.push(char::from_u32(pair).unwrap_or('\u{fffd}'));
                            } else {
                                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            }
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<u32, ImportError> {
        if self.peek() == Some('{') {
            self.bump();
            let mut code = 0u32;
            loop {
                match self.bump() {
                    Some('}') => return Ok(code),
                    Some(c) if c.is_ascii_hexdigit() && code <= 0x10FFFF => {
                        code = code * 16 + c.to_digit(16).unwrap_or(0)
                    }
                    _ => return Err(self.error("a bad \\u{…} escape")),
                }
            }
        }
        self.hex(4)
    }

    fn hex(&mut self, digits: usize) -> Result<u32, ImportError> {
        let mut code = 0u32;
        for _ in 0..digits {
            match self.bump().and_then(|c| c.to_digit(16)) {
                Some(d) => code = code * 16 + d,
                None => return Err(self.error("a bad \\x or \\u escape")),
            }
        }
        Ok(code)
    }

    fn array(&mut self) -> Result<Js, ImportError> {
        self.bump();
        let mut items = Vec::new();
        loop {
            self.skip()?;
            if self.peek() == Some(']') {
                self.bump();
                return Ok(Js::Array(items));
            }
            items.push(self.value()?);
            self.separator(']', "an array")?;
        }
    }

    /// After an item: a `,`, or the closing bracket (left for the caller).
    fn separator(&mut self, close: char, within: &str) -> Result<(), ImportError> {
        self.skip()?;
        match self.peek() {
            Some(',') => {
                self.bump();
                Ok(())
            }
            Some(c) if c == close => Ok(()),
            _ => Err(self.error(format!("expected `,` or `{close}` in {within}"))),
        }
    }

    fn object(&mut self) -> Result<Js, ImportError> {
        self.bump();
        let mut fields = Vec::new();
        loop {
            self.skip()?;
            let line = self.line;
            let key = match self.peek() {
                Some('}') => {
                    self.bump();
                    return Ok(Js::Object(fields));
                }
                Some('"' | '\'') => self.string()?,
                Some(c) if c.is_alphabetic() || c == '_' || c == '$' => self.identifier(),
                Some(c) => return Err(self.error(format!("expected a property name, found `{c}`"))),
                None => return Err(self.error("an object never closes")),
            };
            self.expect(':', &format!("`:` after `{key}`"))?;
            let value = self.value()?;
            fields.push((key, value, line));
            self.separator('}', "an object")?;
        }
    }
}

/// Reads every `fetch()` call of `text`.
pub fn read(text: &str) -> Result<(Vec<RecordedRequest>, Vec<ImportNote>), ImportError> {
    let mut p = Parser::new(text);
    let mut requests = Vec::new();
    loop {
        p.skip()?;
        while p.peek() == Some(';') {
            p.bump();
            p.skip()?;
        }
        if p.peek().is_none() {
            break;
        }
        let line = p.line;
        let mut word = p.identifier();
        if word == "await" {
            p.skip()?;
            word = p.identifier();
        }
        if word != "fetch" {
            let found =
                if word.is_empty() { p.peek().map(String::from).unwrap_or_default() } else { word };
            return Err(ImportError::at_line(
                line,
                format!("expected a fetch(…) call, found `{found}`"),
            ));
        }
        p.expect('(', "`(` after fetch")?;
        let url = match p.value()? {
            Js::Str(url) => url,
            other => {
                return Err(p.error(format!(
                    "fetch()'s first argument must be a URL string, not {}",
                    other.kind()
                )))
            }
        };
        p.skip()?;
        let mut options = Vec::new();
        if p.peek() == Some(',') {
            p.bump();
            p.skip()?;
            if p.peek() != Some(')') {
                match p.value()? {
                    Js::Object(fields) => options = fields,
                    Js::Undefined => {}
                    other => {
                        return Err(p.error(format!(
                            "fetch()'s options must be an object, not {}",
                            other.kind()
                        )))
                    }
                }
                p.skip()?;
                if p.peek() == Some(',') {
                    p.bump();
                }
            }
        }
        p.expect(')', "`)` closing fetch(")?;
        // `.then(...)` and the like after the call are not requests.
        p.skip()?;
        if p.peek() == Some('.') {
            return Err(p.error(
                "only the fetch(…) call itself is read; remove what follows it (`.then(…)`)",
            ));
        }
        requests.push(request_of(url, options, line)?);
    }
    if requests.is_empty() {
        return Err(ImportError::at_line(1, "no fetch(…) call found"));
    }
    Ok((requests, Vec::new()))
}

fn request_of(
    url: String,
    options: Vec<(String, Js, usize)>,
    line: usize,
) -> Result<RecordedRequest, ImportError> {
    let mut request = RecordedRequest {
        url,
        method: "GET".into(),
        line: Some(line),
        ..RecordedRequest::default()
    };
    let note = |level: NoteLevel, message: String| {
        let mut n = ImportNote::new(level, message);
        n.line = Some(line);
        n
    };
    let string = |key: &str, value: Js, at: usize| match value {
        Js::Str(s) => Ok(Some(s)),
        Js::Null | Js::Undefined => Ok(None),
        other => {
            Err(ImportError::at_line(at, format!("`{key}` must be a string, not {}", other.kind())))
        }
    };
    for (key, value, at) in options {
        match key.as_str() {
            "method" => {
                if let Some(method) = string("method", value, at)? {
                    request.method = method;
                }
            }
            "body" => request.body = string("body", value, at)?,
            "headers" => request.headers = headers_of(value, at)?,
            "credentials" => {
                request.credentials = match string("credentials", value, at)?.as_deref() {
                    None => None,
                    Some("include") => Some(Credentials::Include),
                    Some("omit") => Some(Credentials::Omit),
                    Some("same-origin") => Some(Credentials::SameOrigin),
                    Some(other) => {
                        return Err(ImportError::at_line(
                            at,
                            format!(
                                "`credentials` must be include, omit or same-origin, not `{other}`"
                            ),
                        ))
                    }
                }
            }
            "mode" => match string("mode", value, at)?.as_deref() {
                None | Some("cors") => {}
                Some(mode) => request.notes.push(note(
                    NoteLevel::Warning,
                    format!(
                        "mode `{mode}` is not carried over: the harness makes cors-mode requests"
                    ),
                )),
            },
            "referrer" => {
                if let Some(referrer) = string("referrer", value, at)? {
                    request.page_origin = origin_of(&referrer);
                }
            }
            "referrerPolicy" | "priority" | "keepalive" | "integrity" | "cache" => {}
            "redirect" => {
                if let Some(mode) = string("redirect", value, at)?.filter(|m| m != "follow") {
                    request.notes.push(note(
                        NoteLevel::Warning,
                        format!(
                            "redirect `{mode}` is not carried over: the harness follows redirects"
                        ),
                    ));
                }
            }
            other => request.notes.push(note(NoteLevel::Info, format!("option `{other}` ignored"))),
        }
    }
    Ok(request)
}

/// `{ name: value }` or `[[name, value], …]`.
fn headers_of(value: Js, at: usize) -> Result<Vec<(String, String)>, ImportError> {
    let pair = |name: String, value: Js, at: usize| match value {
        Js::Str(v) => Ok((name, v)),
        Js::Number(n) => Ok((name, n.to_string())),
        other => Err(ImportError::at_line(
            at,
            format!("header `{name}` must be a string, not {}", other.kind()),
        )),
    };
    match value {
        Js::Object(fields) => {
            fields.into_iter().map(|(name, value, at)| pair(name, value, at)).collect()
        }
        Js::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Js::Array(mut pair_items) if pair_items.len() == 2 => {
                    let value = pair_items.pop().unwrap_or(Js::Null);
                    match pair_items.pop() {
                        Some(Js::Str(name)) => pair(name, value, at),
                        _ => Err(ImportError::at_line(
                            at,
                            "a header pair must start with a name string",
                        )),
                    }
                }
                _ => Err(ImportError::at_line(
                    at,
                    "`headers` as an array must hold [name, value] pairs",
                )),
            })
            .collect(),
        Js::Null | Js::Undefined => Ok(Vec::new()),
        other => Err(ImportError::at_line(
            at,
            format!("`headers` must be an object, not {}", other.kind()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chromium_copy_as_fetch() {
        let text = r#"fetch("http://api.test:9181/notes/1", {
  "headers": {
    "accept": "*/*",
    "authorization": "Bearer abc",
    "content-type": "application/json",
    "sec-ch-ua": "\"Chromium\";v=\"156\"",
    "sec-fetch-mode": "cors"
  },
  "referrer": "http://app.test:8080/page?x=1",
  "referrerPolicy": "strict-origin-when-cross-origin",
  "body": "{\"t\":\"caf\u00e9 \ud83d\ude00\"}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "include"
});"#;
        let (requests, _) = read(text).unwrap();
        let r = &requests[0];
        assert_eq!(r.url, "http://api.test:9181/notes/1");
        assert_eq!(r.method, "PUT");
        assert_eq!(r.body.as_deref(), Some("{\"t\":\"café 😀\"}"));
        assert_eq!(r.credentials, Some(Credentials::Include));
        assert_eq!(r.page_origin.as_deref(), Some("http://app.test:8080"));
        assert_eq!(r.headers[3].1, "\"Chromium\";v=\"156\"");
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn firefox_await_and_many_calls_with_lines() {
        let text = "await fetch(\"http://a.test/1\", {\n    \"credentials\": \"omit\",\n    \"headers\": {\n        \"User-Agent\": \"Mozilla/5.0\"\n    },\n    \"method\": \"GET\",\n    \"mode\": \"cors\"\n});\n\nawait fetch(\"http://a.test/2\", {\n    \"method\": \"DELETE\",\n});";
        let (requests, _) = read(text).unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1].line, Some(10));
        assert_eq!(requests[1].method, "DELETE");
        assert_eq!(requests[0].credentials, Some(Credentials::Omit));
    }

    #[test]
    fn hand_edited_calls_in_the_accepted_subset() {
        let text = "// one\nfetch('http://a.test/x', { method: 'POST', body: `a\nb`, headers: [['X-A', '1']], signal, })";
        let err = read(text).unwrap_err();
        assert!(err.to_string().starts_with("line 3: expected `:` after `signal`"), "{err}");
        let (requests, _) = read("fetch('http://a.test/x', { method: 'POST', body: `a\nb`, headers: [['X-A', '1']], /* c */ })").unwrap();
        assert_eq!(requests[0].body.as_deref(), Some("a\nb"));
        assert_eq!(requests[0].headers, [("X-A".to_owned(), "1".to_owned())]);
        let (requests, _) = read("fetch(\"http://a.test/\")").unwrap();
        assert_eq!(requests[0].method, "GET");
    }

    #[test]
    fn bad_input_names_the_line() {
        assert_eq!(read("fetch(url)").unwrap_err().to_string(), "line 1: `url` is not a literal: only strings, numbers, true, false, null, arrays and objects are read");
        assert!(read("fetch(\"http://a/\", {\n body: JSON.stringify({a: 1}) })")
            .unwrap_err()
            .to_string()
            .starts_with("line 2:"));
        assert!(read("fetch(\"http://a/\n").unwrap_err().to_string().contains("unbalanced"));
        assert!(read("console.log(1)")
            .unwrap_err()
            .to_string()
            .contains("expected a fetch(…) call, found `console`"));
        assert!(read("fetch(\"http://a/\").then(r => r.json())")
            .unwrap_err()
            .to_string()
            .contains(".then"));
        assert!(read("fetch(\"http://a/\", {body: `${x}`})")
            .unwrap_err()
            .to_string()
            .contains("template"));
        assert!(read("fetch(\"http://a/\", {").is_err());
    }
}
