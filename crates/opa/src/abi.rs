//! The OPA Wasm ABI 1.2 surface (open-policy-agent/opa docs/docs/wasm.md):
//! the exports a host such as `@open-policy-agent/opa-wasm` or Kubewarden's
//! burrego calls. Addresses are offsets into the imported memory.
//!
//! A value is the address of a [`Slot`]: a NUL-terminated JSON text and its
//! length, so `opa_json_dump` is free and a path update can swap the text.

use gateway_doctor::host::read_json;
use serde_json::Value;

use crate::heap::HEAP;
use crate::policy::{self, Entrypoint, ENTRYPOINTS};

/// Exported as the constant globals the loader checks; the post-link step
/// (`crates/opa/abi-globals`) turns these statics' addresses into their values.
#[no_mangle]
pub static opa_wasm_abi_version: i32 = 1;
#[no_mangle]
pub static opa_wasm_abi_minor_version: i32 = 2;

// OPA's error codes (opa/wasm/src/value.h `opa_errc`).
const OPA_ERR_OK: i32 = 0;
const OPA_ERR_INVALID_TYPE: i32 = 2;
const OPA_ERR_INVALID_PATH: i32 = 3;

#[link(wasm_import_module = "env")]
extern "C" {
    /// Ends the evaluation with a message; the npm host throws it as an exception.
    fn opa_abort(addr: *const u8);
}

#[repr(C)]
struct Slot {
    text: *const u8,
    len: usize,
}

#[repr(C)]
struct EvalContext {
    input: usize,
    data: usize,
    entrypoint: i32,
    result: usize,
}

/// Turns a panic into `opa_abort`, which the host reports, instead of an
/// `unreachable` trap. Installed before each evaluation; the hook is a
/// zero-sized closure, so installing it allocates nothing.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let mut message = format!("gateway-doctor: {info}").into_bytes();
        message.retain(|b| *b != 0);
        message.push(0);
        unsafe { opa_abort(message.as_ptr()) };
    }));
}

fn alloc_bytes(bytes: &[u8]) -> *mut u8 {
    let ptr = HEAP.take(bytes.len() + 1, 1);
    if ptr.is_null() {
        oom();
    }
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len());
        *ptr.add(bytes.len()) = 0;
    }
    ptr
}

fn oom() -> ! {
    unsafe { opa_abort(c"gateway-doctor: out of memory".as_ptr().cast()) };
    core::arch::wasm32::unreachable()
}

/// Stores JSON text as a new value.
fn new_value(json: &str) -> usize {
    let text = alloc_bytes(json.as_bytes());
    let slot = HEAP.take(core::mem::size_of::<Slot>(), core::mem::align_of::<Slot>()) as *mut Slot;
    if slot.is_null() {
        oom();
    }
    unsafe { slot.write(Slot { text, len: json.len() }) };
    slot as usize
}

/// The JSON text of a value; `None` for address 0 (undefined).
fn value_text<'a>(addr: usize) -> Option<&'a [u8]> {
    if addr == 0 {
        return None;
    }
    let slot = unsafe { &*(addr as *const Slot) };
    Some(unsafe { core::slice::from_raw_parts(slot.text, slot.len) })
}

fn parse_value(addr: usize) -> Result<Option<Value>, String> {
    value_text(addr).map(parse_json).transpose()
}

fn parse_json(text: &[u8]) -> Result<Value, String> {
    policy::check_depth(text)?;
    read_json(text).map_err(|e| format!("the input is not JSON: {e}"))
}

/// `[{"result": ...}]`, the result set of one evaluation.
fn result_set(entrypoint: i32, input: Result<Option<Value>, String>, data: Option<Value>) -> String {
    let value = match Entrypoint::from_id(entrypoint) {
        None => serde_json::json!({ "error": format!("no entrypoint with id {entrypoint}") }),
        Some(entry) => match input {
            Ok(input) => policy::evaluate(entry, input.as_ref(), data.as_ref()),
            Err(message) => policy::error_value(entry, &message),
        },
    };
    serde_json::json!([{ "result": value }]).to_string()
}

#[no_mangle]
pub extern "C" fn opa_malloc(size: usize) -> usize {
    let ptr = HEAP.take(size, 8);
    if ptr.is_null() {
        oom();
    }
    ptr as usize
}

/// Memory comes back when the host resets the heap pointer.
#[no_mangle]
pub extern "C" fn opa_free(_addr: usize) {}

#[no_mangle]
pub extern "C" fn opa_heap_ptr_get() -> usize {
    HEAP.top()
}

#[no_mangle]
pub extern "C" fn opa_heap_ptr_set(addr: usize) {
    HEAP.set_top(addr);
}

/// Parses JSON text at `addr`; 0 if it is not JSON or nests too deep.
#[no_mangle]
pub extern "C" fn opa_json_parse(addr: usize, len: usize) -> usize {
    let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, len) };
    if policy::check_depth(bytes).is_err() {
        return 0;
    }
    match read_json(bytes) {
        Ok(value) => new_value(&value.to_string()),
        Err(_) => 0,
    }
}

/// Rego values that are JSON are all this module reads or writes.
#[no_mangle]
pub extern "C" fn opa_value_parse(addr: usize, len: usize) -> usize {
    opa_json_parse(addr, len)
}

#[no_mangle]
pub extern "C" fn opa_json_dump(value: usize) -> usize {
    match value {
        0 => alloc_bytes(b"null") as usize,
        _ => unsafe { (*(value as *const Slot)).text as usize },
    }
}

#[no_mangle]
pub extern "C" fn opa_value_dump(value: usize) -> usize {
    opa_json_dump(value)
}

#[no_mangle]
pub extern "C" fn builtins() -> usize {
    new_value("{}")
}

#[no_mangle]
pub extern "C" fn entrypoints() -> usize {
    let map: serde_json::Map<String, Value> =
        ENTRYPOINTS.iter().enumerate().map(|(id, name)| ((*name).to_owned(), Value::from(id))).collect();
    new_value(&Value::Object(map).to_string())
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_new() -> usize {
    let ctx = HEAP.take(core::mem::size_of::<EvalContext>(), core::mem::align_of::<EvalContext>()) as *mut EvalContext;
    if ctx.is_null() {
        oom();
    }
    unsafe { ctx.write(EvalContext { input: 0, data: 0, entrypoint: 0, result: 0 }) };
    ctx as usize
}

fn context<'a>(ctx: usize) -> &'a mut EvalContext {
    unsafe { &mut *(ctx as *mut EvalContext) }
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_input(ctx: usize, value: usize) {
    context(ctx).input = value;
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_data(ctx: usize, value: usize) {
    context(ctx).data = value;
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_entrypoint(ctx: usize, entrypoint: i32) {
    context(ctx).entrypoint = entrypoint;
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_get_result(ctx: usize) -> usize {
    context(ctx).result
}

/// Evaluates the context's entrypoint (the pre-1.2 path).
#[no_mangle]
pub extern "C" fn eval(ctx: usize) -> i32 {
    install_panic_hook();
    let cx = context(ctx);
    let data = parse_value(cx.data).ok().flatten();
    let result = result_set(cx.entrypoint, parse_value(cx.input), data);
    context(ctx).result = opa_json_parse(result.as_ptr() as usize, result.len());
    OPA_ERR_OK
}

/// ABI 1.2: one call per evaluation. The input is JSON text at `input`, the
/// heap restarts at `heap_ptr`, and the result set comes back as text.
#[no_mangle]
pub extern "C" fn opa_eval(
    _reserved: i32,
    entrypoint: i32,
    data: usize,
    input: usize,
    input_len: usize,
    heap_ptr: usize,
    _format: i32,
) -> usize {
    HEAP.set_top(heap_ptr);
    install_panic_hook();
    let input = match input_len {
        0 if input == 0 => Ok(None),
        _ => {
            let bytes = unsafe { core::slice::from_raw_parts(input as *const u8, input_len) };
            parse_json(bytes).map(Some)
        }
    };
    let data = parse_value(data).ok().flatten();
    alloc_bytes(result_set(entrypoint, input, data).as_bytes()) as usize
}

/// Sets `value` at `path` (an array of keys) inside `base`.
#[no_mangle]
pub extern "C" fn opa_value_add_path(base: usize, path: usize, value: usize) -> i32 {
    edit_path(base, path, |target, key| {
        let new = match parse_value(value) {
            Ok(Some(new)) => new,
            _ => return OPA_ERR_INVALID_TYPE,
        };
        match target {
            Value::Object(map) => {
                map.insert(key.to_owned(), new);
                OPA_ERR_OK
            }
            _ => OPA_ERR_INVALID_PATH,
        }
    })
}

/// Removes `path` (an array of keys) from `base`.
#[no_mangle]
pub extern "C" fn opa_value_remove_path(base: usize, path: usize) -> i32 {
    edit_path(base, path, |target, key| match target {
        Value::Object(map) => {
            map.shift_remove(key);
            OPA_ERR_OK
        }
        _ => OPA_ERR_INVALID_PATH,
    })
}

/// Walks to the parent of the path's last key, creating objects on the way,
/// applies `edit` there and stores the new text in `base`'s slot.
fn edit_path(base: usize, path: usize, edit: impl FnOnce(&mut Value, &str) -> i32) -> i32 {
    let (Ok(Some(mut root)), Ok(Some(Value::Array(keys)))) = (parse_value(base), parse_value(path)) else {
        return OPA_ERR_INVALID_TYPE;
    };
    let Some(keys) = keys.iter().map(Value::as_str).collect::<Option<Vec<&str>>>() else {
        return OPA_ERR_INVALID_PATH;
    };
    let Some((last, parents)) = keys.split_last() else { return OPA_ERR_INVALID_PATH };
    let mut target = &mut root;
    for key in parents {
        let Value::Object(map) = target else { return OPA_ERR_INVALID_PATH };
        target = map.entry((*key).to_owned()).or_insert_with(|| Value::Object(Default::default()));
    }
    let code = edit(target, last);
    if code == OPA_ERR_OK {
        let text = root.to_string();
        let stored = alloc_bytes(text.as_bytes());
        unsafe { (*(base as *mut Slot)) = Slot { text: stored, len: text.len() } };
    }
    code
}
