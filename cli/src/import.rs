//! `cors-harness import`: DevTools' "Copy as fetch", "Copy as cURL" or a HAR file into a suite.

use std::io::Read;
use std::path::{Path, PathBuf};

use cors_harness::import::{self, ImportNote, Imported, SourceKind, MAX_INPUT_BYTES};

use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct ImportArgs {
    /// A HAR file, cURL commands or fetch() calls as DevTools copies them; `-` reads standard input.
    pub input: PathBuf,
    /// What the input is (default: told from its first characters).
    #[arg(long, value_enum)]
    pub from: Option<FromChoice>,
    /// Write the suite there instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The input kinds, for the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FromChoice {
    Har,
    Curl,
    Fetch,
}

impl From<FromChoice> for SourceKind {
    fn from(choice: FromChoice) -> Self {
        match choice {
            FromChoice::Har => SourceKind::Har,
            FromChoice::Curl => SourceKind::Curl,
            FromChoice::Fetch => SourceKind::Fetch,
        }
    }
}

/// Reads a file or standard input, refusing more than [`MAX_INPUT_BYTES`] before reading it all.
pub fn read_input(path: &Path) -> Result<String, Failure> {
    let too_big = |bytes: u64| {
        Failure::Usage(format!(
            "{} is {} MB; at most {} MB is imported (save a HAR without response bodies, or only the requests you need)",
            path.display(),
            bytes / (1024 * 1024),
            MAX_INPUT_BYTES / (1024 * 1024)
        ))
    };
    let cap = MAX_INPUT_BYTES as u64;
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
    } else {
        let cannot =
            |e: std::io::Error| Failure::Usage(format!("cannot read {}: {e}", path.display()));
        let size = std::fs::metadata(path).map_err(cannot)?.len();
        if size > cap {
            return Err(too_big(size));
        }
        bytes = std::fs::read(path).map_err(cannot)?;
    }
    if bytes.len() as u64 > cap {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::Usage(format!(
            "{} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Prints the notes on standard error, one a line.
pub fn print_notes(notes: &[ImportNote]) {
    for note in notes {
        eprintln!("{note}");
    }
}

/// Imports `text`; an input that cannot be read is a usage error naming the line or entry.
pub fn import_text(
    text: &str,
    from: Option<SourceKind>,
    source: &str,
) -> Result<Imported, Failure> {
    import::import(text, from).map_err(|e| Failure::Usage(format!("{source}: {e}")))
}

pub async fn run(args: ImportArgs) -> Result<bool, Failure> {
    let text = read_input(&args.input)?;
    let source = if args.input == Path::new("-") {
        "standard input".to_owned()
    } else {
        args.input.display().to_string()
    };
    let imported = import_text(&text, args.from.map(SourceKind::from), &source)?;
    print_notes(&imported.notes);
    let json = imported.suite.to_json();
    match &args.out {
        Some(path) => std::fs::write(path, &json)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?,
        None => print!("{json}"),
    }
    let cases = imported.suite.cases.len();
    match &args.out {
        Some(path) => eprintln!("{cases} case(s) written to {}", path.display()),
        None => eprintln!("{cases} case(s)"),
    }
    Ok(cases > 0)
}
