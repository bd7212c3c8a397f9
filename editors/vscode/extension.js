// Starts `preflight lsp` for the files preflight reads; everything else is the server's job.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

// The files preflight detects, by language and by name (some have no language of their own).
const documentSelector = [
  ..."dockerfile yaml python dotenv properties ini nginx terraform hcl json jsonc toml javascript rhai"
    .split(" ")
    .map((language) => ({ scheme: "file", language })),
  { scheme: "file", pattern: "**/{.env,.env.*,*.env,postgresql.conf,pg_hba.conf,*.conf,Dockerfile*,*.Dockerfile}" },
];

let client;

function activate() {
  const config = vscode.workspace.getConfiguration("preflight");
  const rulesUrl = config.get("rulesUrl");
  client = new LanguageClient(
    "preflight",
    "preflight",
    { command: config.get("path") || "preflight", args: ["lsp"] },
    {
      documentSelector,
      initializationOptions: {
        policies: config.get("policies") || [],
        ...(rulesUrl ? { rulesUrl } : {}),
      },
    },
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
