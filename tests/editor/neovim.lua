-- Neovim's built-in LSP client drives `gateway-doctor server` over stdio on
-- the founding manifest: ASM-LB-001 arrives at its range (an error, from the
-- cluster context in the client's settings), the
-- set-cluster-policy code action is applied, and the diagnostic goes.
-- The context reaches the server as workspace/didChangeConfiguration settings.
--
--   GATEWAY_DOCTOR=target/debug/gateway-doctor nvim --headless -u NONE -c 'luafile tests/editor/neovim.lua'
--
-- Written for Debian bookworm's Neovim 0.7 (vim.lsp.start_client; 0.8 and
-- later keep it). Exits 0 on success; on failure prints why and exits 1.

local binary = os.getenv('GATEWAY_DOCTOR') or 'target/debug/gateway-doctor'
local manifest = 'examples/founding-istio-gateway.yaml'

local function fail(message)
  io.stderr:write('neovim.lua: FAIL: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local function check(ok, message)
  if not ok then fail(message) end
end

local ok, err = pcall(function()
  -- A scratch buffer holding the manifest, so the test never writes the file.
  local lines = vim.fn.readfile(manifest)
  local buf = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_name(buf, vim.fn.getcwd() .. '/gateway.yaml')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.api.nvim_set_current_buf(buf)
  vim.bo[buf].filetype = 'yaml'

  local client_id = vim.lsp.start_client({
    name = 'gateway-doctor',
    cmd = { binary, 'server' },
    root_dir = vim.fn.getcwd(),
    settings = {
      ['gateway-doctor'] = { kubeProxyMode = 'ipvs', inClusterClients = 'pods', kubernetesVersion = '1.22' },
    },
    flags = { debounce_text_changes = 20 },
    -- Neovim 0.7 neither advertises workspace/configuration nor pushes the
    -- settings; its docs (`:h vim.lsp.start_client`, on_init) say to send them.
    on_init = function(client)
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
    end,
  })
  check(client_id, 'the client did not start ' .. binary)
  vim.lsp.buf_attach_client(buf, client_id)

  local function lb001()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code == 'ASM-LB-001' then return d end
    end
  end

  -- The context arrives through workspace/configuration: ASM-LB-001 turns into an error.
  check(vim.wait(30000, function()
    local d = lb001()
    return d ~= nil and d.severity == vim.diagnostic.severity.ERROR
  end, 20), 'no ASM-LB-001 error: ' .. vim.inspect(vim.diagnostic.get(buf)))
  local d = lb001()
  -- `  externalTrafficPolicy: Local` is line 23 (0-based 22); `Local` is columns 25 to 30.
  check(d.lnum == 22 and d.col == 25 and d.end_lnum == 22 and d.end_col == 30,
    'ASM-LB-001 at the wrong range: ' .. vim.inspect(d))
  check(d.source == 'gateway-doctor', 'source: ' .. tostring(d.source))

  local client = vim.lsp.get_client_by_id(client_id)
  local uri = vim.uri_from_bufnr(buf)
  local position = { line = 22, character = 27 }

  local hover = client.request_sync('textDocument/hover',
    { textDocument = { uri = uri }, position = position }, 10000, buf)
  check(hover and hover.result and hover.result.contents.value:find('^## ASM%-LB%-001'),
    'hover: ' .. vim.inspect(hover))

  local response = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = { start = position, ['end'] = position },
    -- What vim.lsp.buf.code_action() sends: the line's diagnostics, back in LSP's shape.
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics
      and vim.lsp.diagnostic.get_line_diagnostics(buf, 22) or {} },
  }, 10000, buf)
  check(response and response.result, 'code actions: ' .. vim.inspect(response))
  local action
  for _, a in ipairs(response.result) do
    if a.title:find('externalTrafficPolicy: Cluster', 1, true) then action = a end
  end
  check(action, 'no set-cluster-policy action among ' .. vim.inspect(response.result))
  check(action.title:find('changes behaviour', 1, true), 'not labelled unsafe: ' .. action.title)
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')

  local line = vim.api.nvim_buf_get_lines(buf, 22, 23, true)[1]
  check(line == '  externalTrafficPolicy: Cluster   # keep client IPs for the WAF', 'edited line: ' .. line)
  -- The client sends the change; the server re-checks and ASM-LB-001 goes.
  check(vim.wait(30000, function() return lb001() == nil end, 20),
    'ASM-LB-001 still there: ' .. vim.inspect(vim.diagnostic.get(buf)))

  client.stop()
  check(vim.wait(10000, function() return client.is_stopped() end, 20), 'the server did not stop')
end)

if not ok then fail(tostring(err)) end
io.stdout:write('neovim.lua: ok: ASM-LB-001 published, fixed by its code action, and gone\n')
vim.cmd('qall!')
