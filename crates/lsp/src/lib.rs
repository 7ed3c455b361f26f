//! `gateway-doctor server`: a Language Server Protocol server (LSP 3.17,
//! https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/)
//! over standard input and output. It checks YAML, JSON and Markdown
//! documents as the client opens and edits them, publishes the findings and
//! input diagnostics, offers the fixes as code actions and the rules' docs on
//! hover. The cluster context comes from the CLI's flags, then the client's
//! `initializationOptions`, then its `gateway-doctor` configuration section.

mod convert;
mod server;
mod settings;

pub use convert::{docs_url, SOURCE};
pub use server::serve;
pub use settings::SECTION;

use lsp_server::Connection;

/// Serves a client on standard input and output until it says `exit` or
/// closes the stream. The exit status is 0 after an orderly `shutdown` and
/// `exit`, 1 otherwise (LSP 3.17, "Exit Notification").
pub fn run_stdio(options: gateway_doctor::Options) -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let status = serve(&connection, options);
    // Dropping the connection ends the writer thread once it has written
    // everything queued; the reader ends at `exit` or at the end of input.
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("gateway-doctor server: {e}");
        return 1;
    }
    status
}
