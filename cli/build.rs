//! Builds the harness page's wasm package (the core compiled to wasm32, then wasm-bindgen's
//! `web` glue) and embeds it with `www/` and the panel's files into the binary, so that
//! `serve`, `run`, `demo` and `bench` need neither the checkout nor a wasm toolchain at run
//! time. Needs the `wasm32-unknown-unknown` target (`rustup target add wasm32-unknown-unknown`).
//!
//! `CORS_HARNESS_WASM_TARGET_DIR` overrides where the wasm build goes (default: beside this
//! build's own target directory, so debug and release builds share it).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // wasm32 builds of the workspace (wasm-pack test) compile this crate to an empty binary.
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        return;
    }
    if let Err(message) = build() {
        // A build script's panic shows its message as the build error.
        panic!("\n\ncors-harness: cannot build the harness page's wasm package:\n{message}\n\n");
    }
}

fn build() -> Result<(), String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let root = manifest.parent().ok_or("the cli crate has no parent directory")?.to_path_buf();
    let out = PathBuf::from(env("OUT_DIR")?);
    for watched in ["src", "Cargo.toml", "Cargo.lock", "www", "scripts/optimize-wasm.sh"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=CORS_HARNESS_WASM_TARGET_DIR");

    let wasm = build_wasm(&root, &out)?;
    let pkg = out.join("pkg");
    std::fs::create_dir_all(&pkg).map_err(|e| format!("cannot create {}: {e}", pkg.display()))?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(&wasm)
        .web(true)
        .map_err(|e| format!("wasm-bindgen: {e}"))?
        .typescript(false)
        // As the CLI's `--target web`: the glue finds the wasm beside itself by default.
        .omit_default_module_path(false)
        .out_name("cors_harness");
    bindgen.generate(&pkg).map_err(|e| format!("wasm-bindgen on {}: {e:#}", wasm.display()))?;
    // wasm-opt takes a minute and only shrinks the file: release binaries (what users install) get it.
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        optimize(&root, &pkg.join("cors_harness_bg.wasm"));
    }

    let mut assets = Vec::new();
    collect(&root.join("www"), "", &mut assets)?;
    collect(&pkg, "pkg/", &mut assets)?;
    assets.sort();
    assets.dedup_by(|a, b| a.0 == b.0);
    let mut table = String::from("/// Every file of the page, by its path below `/`.\npub static ASSETS: &[(&str, &[u8])] = &[\n");
    for (name, path) in &assets {
        let _ =
            writeln!(table, "    ({name:?}, include_bytes!({:?})),", path.display().to_string());
    }
    table.push_str("];\n");
    std::fs::write(out.join("assets.rs"), table).map_err(|e| format!("cannot write assets.rs: {e}"))
}

/// `cargo build --release --lib -p cors-harness --target wasm32-unknown-unknown` in a target
/// directory of its own (the outer build holds the lock on ours).
fn build_wasm(root: &Path, out: &Path) -> Result<PathBuf, String> {
    let target_dir = match std::env::var_os("CORS_HARNESS_WASM_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        // OUT_DIR is <target>/<profile>/build/<crate>-<hash>/out; the wasm build sits in <target>/wasm-embed.
        None => out
            .ancestors()
            .nth(4)
            .map(|target| target.join("wasm-embed"))
            .unwrap_or_else(|| out.join("wasm-embed")),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--lib",
            "-p",
            "cors-harness",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("CARGO_TARGET_DIR", &target_dir);
    // The outer build's settings (clippy's wrapper, its flags, the jobserver) are not the wasm build's.
    for name in [
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        command.env_remove(name);
    }
    let output = command.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("wasm32-unknown-unknown")
            && stderr.contains("target may not be installed")
        {
            "\nfix: rustup target add wasm32-unknown-unknown (or run scripts/setup.sh wasm)"
        } else {
            ""
        };
        return Err(format!("cargo build for wasm32 failed:\n{stderr}{hint}"));
    }
    Ok(target_dir.join("wasm32-unknown-unknown/release/cors_harness.wasm"))
}

/// Shrinks the wasm with binaryen's wasm-opt when `scripts/setup.sh node` installed it
/// (the script leaves the file as it is otherwise: size only, never behaviour).
fn optimize(root: &Path, wasm: &Path) {
    let script = root.join("scripts/optimize-wasm.sh");
    let status = Command::new("bash").arg(&script).arg(wasm).status();
    if !matches!(status, Ok(s) if s.success()) {
        println!(
            "cargo:warning=wasm-opt did not run on {}: the page works, only larger",
            wasm.display()
        );
    }
}

/// Every file below `dir` (no hidden files, no `pkg/` left by a wasm-pack build), as
/// (`prefix` + path relative to `dir`, absolute path).
fn collect(dir: &Path, prefix: &str, assets: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with('.') || (prefix.is_empty() && name == "pkg" && path.is_dir()) {
            continue;
        }
        if path.is_dir() {
            collect(&path, &format!("{prefix}{name}/"), assets)?;
        } else {
            assets.push((format!("{prefix}{name}"), path));
        }
    }
    Ok(())
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run through cargo)"))
}
