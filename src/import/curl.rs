//! "Copy as cURL" and "Copy all as cURL", bash or Windows `cmd` quoting.
//!
//! The word splitters are our own: the shell-word crates (`shlex`, `shell-words`) split
//! POSIX words only. DevTools' bash output needs ANSI-C `$'...'` strings (Chromium's
//! `escapeStringPosix`), its "Copy all" joins commands with ` ;` (bash) or ` &` (cmd),
//! errors must name a line, and the `cmd` variant needs cmd.exe's `^` escapes under
//! the MS C runtime's quotes (`escapeStringWin`). So the splitters below implement exactly
//! those grammars:
//!
//! - bash: blanks split words; `'...'` literal; `"..."` with `\` before `$ \` " \\` and
//!   newline; `$'...'` with `\n \r \t \\ \' \" \xHH \uHHHH \UHHHHHHHH \NNN` escapes;
//!   `\` outside quotes escapes the next character and `\` + newline continues the line;
//!   an unquoted newline, `;`, `&` or `|` ends a command; `#` at a word's start comments.
//!   Variables and `$(...)` are not expanded (noted).
//! - cmd: `^` escapes the next character (`^` + newline continues the line, `^` + two
//!   newlines is a newline in the value), `"` toggles cmd's quoting (where `^` is literal),
//!   an unescaped `&` or newline ends a command; words are then split as the C runtime
//!   does (blanks outside `"`), with `\"` a quote and `\\` a backslash, the inverse of
//!   DevTools' escaping.
//!
//! Options read: the URL (positional or `--url`), `-X/--request`, `-H/--header`,
//! `-d/--data/--data-raw/--data-binary/--data-ascii/--data-urlencode` (joined with `&`;
//! POST unless `-X`), `-b/--cookie` (name=value pairs), `-u/--user` (Basic
//! `Authorization`), `-A/--user-agent` and `-e/--referer` (dropped like the headers),
//! `-I/--head`, `-G/--get`, `-m/--max-time` (the case's timeout); `--compressed`,
//! `-k/--insecure`, `-g/--globoff`, `-L`, `-s`, `-v`, `-i` and the like change nothing the
//! browser does and are accepted silently or with a note.

use super::rules::RecordedRequest;
use super::{ImportError, ImportNote, NoteLevel};

/// A word and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    text: String,
    line: usize,
}

/// The words of one command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Command {
    words: Vec<Word>,
    /// A `$NAME` or `$(...)` was left as written.
    unexpanded: bool,
}

/// Which shell's quoting the text uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    Bash,
    Cmd,
}

/// cmd's `^"` quoting or a `^` line end marks the Windows variant.
fn dialect(text: &str) -> Dialect {
    let caret_eol = text.lines().any(|l| l.trim_end().ends_with(" ^"));
    if text.contains("^\"") || caret_eol {
        Dialect::Cmd
    } else {
        Dialect::Bash
    }
}

/// Reads every curl command of `text`.
pub fn read(text: &str) -> Result<(Vec<RecordedRequest>, Vec<ImportNote>), ImportError> {
    let text = text.replace("\r\n", "\n");
    let commands = match dialect(&text) {
        Dialect::Bash => split_bash(&text)?,
        Dialect::Cmd => split_cmd(&text)?,
    };
    let mut requests = Vec::new();
    let mut notes = Vec::new();
    for command in commands {
        let Some(first) = command.words.first() else { continue };
        let program = first.text.rsplit(['/', '\\']).next().unwrap_or_default();
        if !program.eq_ignore_ascii_case("curl") && !program.eq_ignore_ascii_case("curl.exe") {
            let mut note = ImportNote::warning(format!(
                "left out a `{}` command: only curl commands are imported",
                first.text
            ));
            note.line = Some(first.line);
            notes.push(note);
            continue;
        }
        requests.push(interpret(&command)?);
    }
    if requests.is_empty() {
        return Err(ImportError::at_line(1, "no curl command found"));
    }
    Ok((requests, notes))
}

/// Options that take a value and change nothing a browser would do.
const IGNORED_WITH_VALUE: [&str; 16] = [
    "-o",
    "--output",
    "--connect-timeout",
    "--retry",
    "-w",
    "--write-out",
    "--proxy",
    "-x",
    "--resolve",
    "--cacert",
    "--cert",
    "--key",
    "-c",
    "--cookie-jar",
    "--limit-rate",
    "--max-redirs",
];

/// One curl command as the request it makes; notes name what the browser cannot do.
fn interpret(command: &Command) -> Result<RecordedRequest, ImportError> {
    let start = command.words[0].line;
    let mut options = CurlOptions {
        request: RecordedRequest { line: Some(start), ..RecordedRequest::default() },
        ..CurlOptions::default()
    };
    if command.unexpanded {
        options.note(
            NoteLevel::Warning,
            "a shell variable or `$(...)` was kept as written, not expanded".into(),
            start,
        );
    }
    let mut words = command.words[1..].iter();
    while let Some(word) = words.next() {
        let arg = word.text.as_str();
        let (flag, attached) = split_attached(arg);
        let mut value = |name: &str| -> Result<String, ImportError> {
            match &attached {
                Some(v) => Ok(v.clone()),
                None => words.next().map(|w| w.text.clone()).ok_or_else(|| {
                    ImportError::at_line(word.line, format!("{name} needs a value"))
                }),
            }
        };
        options.apply(flag, arg, word.line, &mut value)?;
    }
    options.into_request(start)
}

/// `-XPOST`, `-H'a: b'`: short options with their value attached, split from it.
fn split_attached(arg: &str) -> (&str, Option<String>) {
    match arg.as_bytes() {
        [b'-', c, _, ..] if *c != b'-' && b"XHdbuAemo".contains(c) => {
            (&arg[..2], Some(arg[2..].to_owned()))
        }
        _ => (arg, None),
    }
}

/// What a curl command's options say so far, before the method and body are settled.
#[derive(Default)]
struct CurlOptions {
    request: RecordedRequest,
    url: Option<String>,
    method: Option<String>,
    /// Every `-d`-family value, joined with `&` as curl does.
    data: Vec<String>,
    head: bool,
    get: bool,
    /// Options with no browser equivalent, named in one note.
    ignored: Vec<String>,
}

impl CurlOptions {
    /// A note about this request at `line`.
    fn note(&mut self, level: NoteLevel, message: String, line: usize) {
        let mut note = ImportNote::new(level, message);
        note.line = Some(line);
        self.request.notes.push(note);
    }

    /// One word of the command: an option (`flag`, its value read through `value`) or the URL.
    fn apply(
        &mut self,
        flag: &str,
        arg: &str,
        line: usize,
        value: &mut impl FnMut(&str) -> Result<String, ImportError>,
    ) -> Result<(), ImportError> {
        match flag {
            "--url" => self.url = Some(value("--url")?),
            "-X" | "--request" => self.method = Some(value(flag)?),
            "-H" | "--header" | "-u" | "--user" | "-A" | "--user-agent" | "-e" | "--referer" => {
                self.header_option(flag, value(flag)?, line)?
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii"
            | "--data-urlencode" => self.data_option(flag, value(flag)?, line),
            "-b" | "--cookie" => self.cookie_option(flag, value(flag)?, line),
            "-m" | "--max-time" => self.timeout_option(flag, value(flag)?, line),
            "-I" | "--head" => self.head = true,
            "-G" | "--get" => self.get = true,
            "-F" | "--form" => {
                let why = "multipart form bodies are not imported; use --data-raw with the body";
                return Err(ImportError::at_line(line, format!("{flag}: {why}")));
            }
            "-k" | "--insecure" => self.note(
                NoteLevel::Info,
                "--insecure has no browser equivalent: the browser checks the certificate".into(),
                line,
            ),
            _ if IGNORED_WITH_VALUE.contains(&flag) => {
                value(flag)?;
                self.ignored.push(flag.to_owned());
            }
            _ if flag.starts_with('-') && flag.len() > 1 => {
                if !is_harmless_flag(flag) {
                    self.ignored.push(flag.to_owned());
                }
            }
            _ => match &self.url {
                None => self.url = Some(arg.to_owned()),
                Some(_) => {
                    return Err(ImportError::at_line(
                        line,
                        format!("a second URL `{arg}`: import one request per curl command"),
                    ))
                }
            },
        }
        Ok(())
    }

    /// Options that become request headers: `-H`, `-u` (Basic), `-A`, `-e`.
    fn header_option(&mut self, flag: &str, value: String, line: usize) -> Result<(), ImportError> {
        match flag {
            "-H" | "--header" => {
                match header_of(&value) {
                    Some(Some(pair)) => self.request.headers.push(pair),
                    // `Name:` with no value tells curl to remove a header it would add.
                    Some(None) => {}
                    None => {
                        return Err(ImportError::at_line(
                            line,
                            format!("-H `{value}` is not a `Name: value` header"),
                        ))
                    }
                }
            }
            "-u" | "--user" => {
                self.request
                    .headers
                    .push(("Authorization".into(), format!("Basic {}", base64(&value))));
                self.note(
                    NoteLevel::Info,
                    format!("{flag} became an Authorization: Basic header"),
                    line,
                );
            }
            "-A" | "--user-agent" => self.request.headers.push(("User-Agent".into(), value)),
            _ => self.request.headers.push(("Referer".into(), value)),
        }
        Ok(())
    }

    /// The `-d` family: body parts, except bodies read from files, which are not imported.
    fn data_option(&mut self, flag: &str, v: String, line: usize) {
        if flag == "--data-urlencode" {
            self.data.push(urlencode_data(&v));
        } else if v.starts_with('@') && flag != "--data-raw" {
            self.note(
                NoteLevel::Error,
                format!("{flag} {v}: bodies read from files are not imported"),
                line,
            );
        } else {
            self.data.push(v);
        }
    }

    /// `-b name=value; ...` presets cookies; a cookie file is not read.
    fn cookie_option(&mut self, flag: &str, v: String, line: usize) {
        if v.contains('=') {
            self.request.cookies.extend(super::rules::cookie_pairs(&v));
        } else {
            self.note(NoteLevel::Warning, format!("{flag} {v}: a cookie file is not read"), line);
        }
    }

    /// `-m seconds` becomes the case's timeout when it is one the harness accepts.
    fn timeout_option(&mut self, flag: &str, v: String, line: usize) {
        match v.parse::<f64>() {
            Ok(seconds) if seconds > 0.0 && seconds <= 600.0 => {
                self.request.timeout_ms = Some((seconds * 1000.0).round().max(1.0) as u32)
            }
            _ => self.note(
                NoteLevel::Warning,
                format!("{flag} {v}: not a timeout between 0 and 600 seconds; ignored"),
                line,
            ),
        }
    }

    /// The request: URL unescaped, data as the body (or the query with `-G`), the method curl infers.
    fn into_request(mut self, start: usize) -> Result<RecordedRequest, ImportError> {
        if !self.ignored.is_empty() {
            let message = format!("ignored {}: no browser equivalent", self.ignored.join(", "));
            self.note(NoteLevel::Info, message, start);
        }
        let Some(url) = self.url else {
            return Err(ImportError::at_line(start, "this curl command has no URL"));
        };
        // DevTools escapes curl's globbing characters in the URL.
        let mut url =
            url.replace("\\[", "[").replace("\\]", "]").replace("\\{", "{").replace("\\}", "}");
        let body = (!self.data.is_empty()).then(|| self.data.join("&"));
        let inferred = if self.head {
            "HEAD"
        } else if body.is_some() && !self.get {
            "POST"
        } else {
            "GET"
        };
        let mut request = self.request;
        match (self.get, body) {
            (true, Some(query)) => {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(&query);
            }
            (_, body) => request.body = body,
        }
        request.url = url;
        request.method = self.method.unwrap_or_else(|| inferred.to_owned());
        Ok(request)
    }
}

/// Flags that change nothing the browser does: accepted without a note.
fn is_harmless_flag(flag: &str) -> bool {
    matches!(
        flag,
        "--compressed"
            | "-g"
            | "--globoff"
            | "-L"
            | "--location"
            | "-s"
            | "--silent"
            | "-S"
            | "--show-error"
            | "-v"
            | "--verbose"
            | "-i"
            | "--include"
            | "--http1.1"
            | "--http2"
            | "--http2-prior-knowledge"
            | "--http3"
            | "-f"
            | "--fail"
            | "-sS"
            | "-sSL"
            | "-fsSL"
    )
}

/// `Name: value` → `Some(Some(pair))`; `Name;` → an empty value; `Name:` → `Some(None)`.
fn header_of(text: &str) -> Option<Option<(String, String)>> {
    if let Some(name) = text.strip_suffix(';') {
        if !name.contains(':') && crate::fetch::header::is_valid_name(name.trim()) {
            return Some(Some((name.trim().to_owned(), String::new())));
        }
    }
    let (name, value) = text.split_once(':')?;
    let name = name.trim();
    if !crate::fetch::header::is_valid_name(name) {
        return None;
    }
    let value = value.trim();
    Some((!value.is_empty()).then(|| (name.to_owned(), value.to_owned())))
}

/// curl's `--data-urlencode`: `name=content` encodes the content, plain content is encoded whole.
fn urlencode_data(value: &str) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    match value.split_once('=') {
        Some((name, content)) if !name.is_empty() => format!("{name}={}", encode(content)),
        Some((_, content)) => encode(content),
        None => encode(value),
    }
}

/// Standard base64 with padding, for `-u user:password`.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A character reader that counts lines.
struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader { chars: text.chars().peekable(), line: 1 }
    }
    fn next(&mut self) -> Option<char> {
        let c = self.chars.next();
        if c == Some('\n') {
            self.line += 1;
        }
        c
    }
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }
}

/// Collects words into commands.
#[derive(Default)]
struct Builder {
    commands: Vec<Command>,
    current: Command,
    word: Option<Word>,
}

impl Builder {
    fn push(&mut self, c: char, line: usize) {
        self.word.get_or_insert_with(|| Word { text: String::new(), line }).text.push(c);
    }
    /// Starts a word even if it stays empty (`''`).
    fn touch(&mut self, line: usize) {
        self.word.get_or_insert_with(|| Word { text: String::new(), line });
    }
    fn end_word(&mut self) {
        if let Some(word) = self.word.take() {
            self.current.words.push(word);
        }
    }
    fn end_command(&mut self) {
        self.end_word();
        let command = std::mem::take(&mut self.current);
        if !command.words.is_empty() {
            self.commands.push(command);
        }
    }
    fn finish(mut self) -> Vec<Command> {
        self.end_command();
        self.commands
    }
}

fn split_bash(text: &str) -> Result<Vec<Command>, ImportError> {
    let mut r = Reader::new(text);
    let mut b = Builder::default();
    while let Some(c) = r.next() {
        let line = r.line;
        match c {
            ' ' | '\t' | '\r' => b.end_word(),
            '\n' | ';' | '&' | '|' => b.end_command(),
            '#' if b.word.is_none() => {
                while r.peek().is_some_and(|c| c != '\n') {
                    r.next();
                }
            }
            '\\' => match r.next() {
                Some('\n') => {}
                Some(c) => b.push(c, line),
                None => {}
            },
            '\'' => {
                b.touch(line);
                loop {
                    match r.next() {
                        Some('\'') => break,
                        Some(c) => b.push(c, line),
                        None => return Err(unbalanced("single quote", line)),
                    }
                }
            }
            '"' => {
                b.touch(line);
                loop {
                    match r.next() {
                        Some('"') => break,
                        Some('\\') => match r.next() {
                            Some('\n') => {}
                            Some(c @ ('$' | '`' | '"' | '\\')) => b.push(c, line),
                            Some(c) => {
                                b.push('\\', line);
                                b.push(c, line);
                            }
                            None => return Err(unbalanced("double quote", line)),
                        },
                        Some('$') => {
                            b.current.unexpanded |= r
                                .peek()
                                .is_some_and(|c| c == '(' || c == '{' || c.is_ascii_alphabetic());
                            b.push('$', line);
                        }
                        Some(c) => b.push(c, line),
                        None => return Err(unbalanced("double quote", line)),
                    }
                }
            }
            '$' if r.peek() == Some('\'') => {
                r.next();
                b.touch(line);
                ansi_c(&mut r, &mut b, line)?;
            }
            '$' => {
                b.current.unexpanded |=
                    r.peek().is_some_and(|c| c == '(' || c == '{' || c.is_ascii_alphabetic());
                b.push('$', line);
            }
            c => b.push(c, line),
        }
    }
    Ok(b.finish())
}

/// The rest of a `$'...'` string.
fn ansi_c(r: &mut Reader<'_>, b: &mut Builder, line: usize) -> Result<(), ImportError> {
    loop {
        let c = match r.next() {
            Some('\'') => return Ok(()),
            Some('\\') => match r.next() {
                Some('n') => '\n',
                Some('r') => '\r',
                Some('t') => '\t',
                Some('a') => '\u{7}',
                Some('b') => '\u{8}',
                Some('e' | 'E') => '\u{1b}',
                Some('f') => '\u{c}',
                Some('v') => '\u{b}',
                Some('x') => hex_escape(r, 2, line)?,
                Some('u') => hex_escape(r, 4, line)?,
                Some('U') => hex_escape(r, 8, line)?,
                Some(d @ '0'..='7') => {
                    let mut n = d.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match r.peek().and_then(|c| c.to_digit(8)) {
                            Some(digit) => {
                                r.next();
                                n = n * 8 + digit;
                            }
                            None => break,
                        }
                    }
                    char::from_u32(n).unwrap_or('\u{fffd}')
                }
                Some(c) => c,
                None => return Err(unbalanced("$' quote", line)),
            },
            Some(c) => c,
            None => return Err(unbalanced("$' quote", line)),
        };
        b.push(c, line);
    }
}

/// Up to `max` hex digits after `\x`, `\u` or `\U`. Chromium writes UTF-16 code units
/// (`\ud83d\ude00`), so a high surrogate followed by `\u` + low surrogate is one character.
fn hex_escape(r: &mut Reader<'_>, max: usize, line: usize) -> Result<char, ImportError> {
    let digits = |r: &mut Reader<'_>| {
        let mut n = 0u32;
        let mut count = 0;
        while count < max {
            match r.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    r.next();
                    n = n * 16 + d;
                    count += 1;
                }
                None => break,
            }
        }
        (n, count)
    };
    let (n, count) = digits(r);
    if count == 0 {
        return Err(ImportError::at_line(line, "a \\x or \\u escape without hex digits"));
    }
    if (0xD800..0xDC00).contains(&n) && max == 4 {
        // Look for the low half: `\uDC00`.
        if r.peek() == Some('\\') {
            r.next();
            if r.peek() == Some('u') {
                r.next();
                let (low, _) = digits(r);
                if (0xDC00..0xE000).contains(&low) {
                    let code = 0x10000 + ((n - 0xD800) << 10) + (low - 0xDC00);
                    return Ok(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
            }
        }
        return Ok('\u{fffd}');
    }
    Ok(char::from_u32(n).unwrap_or('\u{fffd}'))
}

fn unbalanced(what: &str, line: usize) -> ImportError {
    ImportError::at_line(line, format!("unbalanced {what}: it opens here and never closes"))
}

fn split_cmd(text: &str) -> Result<Vec<Command>, ImportError> {
    // cmd.exe's layer: `^` escapes, its own quote state, `&` and newlines end commands.
    let mut lines_of_commands: Vec<(usize, Vec<(char, usize)>)> = Vec::new();
    let mut current: Vec<(char, usize)> = Vec::new();
    let mut start = 1;
    let mut r = Reader::new(text);
    let mut quoted = false;
    let mut quote_line = 1;
    while let Some(c) = r.next() {
        let line = r.line;
        match c {
            '^' if !quoted => match r.next() {
                // `^` + two newlines: a newline in the value; `^` + one: the line continues.
                Some('\n') if r.peek() == Some('\n') => {
                    r.next();
                    current.push(('\n', line));
                }
                Some('\n') => {}
                Some(c) => {
                    current.push(('\u{0}', line));
                    current.push((c, line));
                }
                None => {}
            },
            '"' => {
                quoted = !quoted;
                quote_line = line;
                current.push(('"', line));
            }
            '\n' | '&' if !quoted => {
                lines_of_commands.push((start, std::mem::take(&mut current)));
                start = r.line;
            }
            '\n' => return Err(unbalanced("double quote", quote_line)),
            c => current.push((c, line)),
        }
    }
    if quoted {
        return Err(unbalanced("double quote", quote_line));
    }
    lines_of_commands.push((start, current));
    // The C runtime's layer: blanks outside quotes split words; `\"` and `\\` are escapes.
    let mut commands = Vec::new();
    for (_, chars) in lines_of_commands {
        let mut b = Builder::default();
        let mut in_quotes = false;
        let mut open_line = 1;
        let mut i = 0;
        while i < chars.len() {
            let (c, line) = chars[i];
            match c {
                // A `^`-escaped character: literal for cmd, still seen by the C runtime.
                '\u{0}' => {}
                ' ' | '\t' if !in_quotes => b.end_word(),
                '"' => {
                    in_quotes = !in_quotes;
                    open_line = line;
                    b.touch(line);
                }
                '\\' => {
                    let next = chars[i + 1..].iter().find(|(c, _)| *c != '\u{0}').map(|(c, _)| *c);
                    if matches!(next, Some('"' | '\\')) {
                        let skip =
                            chars[i + 1..].iter().position(|(c, _)| *c != '\u{0}').unwrap_or(0);
                        i += 1 + skip;
                        b.push(chars[i].0, line);
                    } else {
                        b.push('\\', line);
                    }
                }
                c => b.push(c, line),
            }
            i += 1;
        }
        if in_quotes {
            return Err(unbalanced("double quote", open_line));
        }
        commands.extend(b.finish());
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> RecordedRequest {
        let (mut requests, _) = read(text).unwrap();
        assert_eq!(requests.len(), 1);
        requests.remove(0)
    }

    fn header<'a>(r: &'a RecordedRequest, name: &str) -> Option<&'a str> {
        r.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[test]
    fn chromium_bash_with_ansi_c_quoting_and_continuations() {
        let r = one("curl 'http://api.test:9181/notes/1' \\\n  -X 'PUT' \\\n  -H 'accept: */*' \\\n  -H 'authorization: Bearer abc' \\\n  -H 'content-type: application/json' \\\n  -b 'sid=1; theme=dark' \\\n  --data-raw $'{\"t\":\"it\\'s \\\\ok\\\\n\",\"e\":\"\\u00e9\\ud83d\\ude00!\"}' \\\n  --compressed");
        assert_eq!(r.url, "http://api.test:9181/notes/1");
        assert_eq!(r.method, "PUT");
        assert_eq!(header(&r, "authorization"), Some("Bearer abc"));
        assert_eq!(r.body.as_deref(), Some("{\"t\":\"it's \\ok\\n\",\"e\":\"é😀!\"}"));
        assert_eq!(r.cookies, [("sid".into(), "1".into()), ("theme".into(), "dark".into())]);
        assert_eq!(r.line, Some(1));
    }

    #[test]
    fn data_implies_post_and_get_moves_it_into_the_query() {
        assert_eq!(one("curl http://a.test/x -d a=1 -d b=2").method, "POST");
        assert_eq!(one("curl http://a.test/x -d a=1 -d b=2").body.as_deref(), Some("a=1&b=2"));
        let r = one("curl -G http://a.test/x --data-urlencode 'q=a b&c'");
        assert_eq!(r.url, "http://a.test/x?q=a+b%26c");
        assert_eq!(r.body, None);
        assert_eq!(one("curl -I http://a.test/").method, "HEAD");
        assert_eq!(one("curl -XDELETE http://a.test/").method, "DELETE");
        assert_eq!(one("curl --url 'http://a.test/\\[1\\]'").url, "http://a.test/[1]");
    }

    #[test]
    fn user_becomes_basic_authorization_and_empty_headers_follow_curl() {
        let r = one("curl -u 'ann:s3cret' http://a.test/ -H 'X-Empty;' -H 'Accept:'");
        assert_eq!(header(&r, "Authorization"), Some("Basic YW5uOnMzY3JldA=="));
        assert_eq!(header(&r, "X-Empty"), Some(""));
        assert_eq!(header(&r, "Accept"), None);
        assert_eq!(base64("a"), "YQ==");
        assert_eq!(base64("ab"), "YWI=");
        assert_eq!(base64("abc"), "YWJj");
    }

    #[test]
    fn copy_all_as_curl_gives_one_request_per_command_with_its_line() {
        let (requests, notes) = read(
            "curl 'http://a.test/1' \\\n  -H 'x-a: 1' ;\ncurl 'http://a.test/2' -X POST ;\ncurl \"http://a.test/\\$3\" | jq .",
        )
        .unwrap();
        let urls: Vec<&str> = requests.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["http://a.test/1", "http://a.test/2", "http://a.test/$3"]);
        assert_eq!(requests[1].line, Some(3));
        assert!(notes.iter().any(|n| n.message.contains("`jq`")), "{notes:?}");
    }

    #[test]
    fn windows_cmd_variant_with_carets() {
        // Chromium's escapeStringWin output, "Copy as cURL (cmd)".
        let text = "curl ^\"http://api.test:9181/cors/exact/notes?a=1^&b=2^\" ^\r\n  -X ^\"PUT^\" ^\r\n  -H ^\"content-type: application/json^\" ^\r\n  -H ^\"x-pct: 100^%^\" ^\r\n  --data-raw ^\"^{^\\^\"title^\\^\":^\\^\"a ^\\^\\ b^\\^\"^}^\" ^\r\n  --compressed";
        let r = one(text);
        assert_eq!(r.url, "http://api.test:9181/cors/exact/notes?a=1&b=2");
        assert_eq!(r.method, "PUT");
        assert_eq!(header(&r, "x-pct"), Some("100%"));
        assert_eq!(r.body.as_deref(), Some("{\"title\":\"a \\ b\"}"));
        // A newline in a value: `^` + two newlines.
        let r = one("curl ^\"http://a.test/^\" ^\n  --data-raw ^\"a^\n\nb^\"");
        assert_eq!(r.body.as_deref(), Some("a\nb"));
        let (requests, _) =
            read("curl ^\"http://a.test/1^\" &\r\ncurl ^\"http://a.test/2^\"").unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1].line, Some(2));
    }

    #[test]
    fn bad_input_names_the_line() {
        let err = read("curl 'http://a.test/' \\\n  -H 'x: 1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: unbalanced single quote: it opens here and never closes"
        );
        assert_eq!(read("curl -H").unwrap_err().to_string(), "line 1: -H needs a value");
        assert!(read("curl -H 'x: 1'").unwrap_err().to_string().contains("no URL"));
        assert!(read("wget http://x/").unwrap_err().to_string().contains("no curl command"));
        assert!(read("curl ^\"http://a/ ^\n").is_err());
        assert!(read("curl http://a/ -F a=b").unwrap_err().to_string().contains("multipart"));
    }
}
