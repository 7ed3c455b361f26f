//! Post-link step for the OPA module.
//!
//! The OPA Wasm ABI signals its version with exported constant i32 globals
//! `opa_wasm_abi_version` and `opa_wasm_abi_minor_version`. Rust cannot
//! declare a wasm global: wasm-ld exports a `#[no_mangle] static` as a global
//! holding the static's *address*, and the loader then refuses the module
//! ("unsupported ABI version 74352"). This tool reads each static's value from
//! the module's data and re-exports the name as a constant global holding it.
//!
//! Usage: `opa-abi-globals IN.wasm OUT.wasm`

use std::process::ExitCode;

use walrus::{ConstExpr, DataKind, ExportItem, GlobalKind, Module, ValType};

const ABI_GLOBALS: [&str; 2] = ["opa_wasm_abi_version", "opa_wasm_abi_minor_version"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: opa-abi-globals IN.wasm OUT.wasm");
        return ExitCode::from(2);
    };
    match run(input, output) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("opa-abi-globals: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &str, output: &str) -> Result<String, String> {
    let mut module = Module::from_file(input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let mut done = Vec::new();
    for name in ABI_GLOBALS {
        let value = make_constant(&mut module, name)?;
        done.push(format!("{name} = {value}"));
    }
    module.emit_wasm_file(output).map_err(|e| format!("cannot write {output}: {e}"))?;
    Ok(done.join(", "))
}

/// Points the export `name` at a new immutable global holding the i32 stored
/// at the address the old global held. Returns the value.
fn make_constant(module: &mut Module, name: &str) -> Result<i32, String> {
    let export =
        module.exports.iter().find(|e| e.name == name).ok_or(format!("the module does not export `{name}`"))?;
    let export_id = export.id();
    let ExportItem::Global(old) = export.item else {
        return Err(format!("`{name}` is exported, but not as a global"));
    };
    let global = module.globals.get(old);
    let address = match (&global.kind, global.ty, global.mutable) {
        (GlobalKind::Local(ConstExpr::Value(walrus::ir::Value::I32(address))), ValType::I32, false) => *address as u32,
        _ => return Err(format!("`{name}` is not an immutable i32 global")),
    };
    let value = read_i32(module, address).ok_or(format!("`{name}` points at {address}, outside the static data"))?;
    let constant =
        module.globals.add_local(ValType::I32, false, false, ConstExpr::Value(walrus::ir::Value::I32(value)));
    module.exports.get_mut(export_id).item = ExportItem::Global(constant);
    Ok(value)
}

/// The little-endian i32 at `address` in an active data segment with a constant offset.
fn read_i32(module: &Module, address: u32) -> Option<i32> {
    module.data.iter().find_map(|data| {
        let DataKind::Active { offset: ConstExpr::Value(walrus::ir::Value::I32(offset)), .. } = data.kind else {
            return None;
        };
        let start = address.checked_sub(offset as u32)? as usize;
        let bytes = data.value.get(start..start + 4)?;
        Some(i32::from_le_bytes(bytes.try_into().ok()?))
    })
}
