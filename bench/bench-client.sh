# Sourced by the bench scripts: a registered client for a server the script starts, and its tokens,
# the way any SMART Backend Services client gets them (docs/examples/SmartClient.java).
#   bench_clients_file DIR   writes DIR/clients.json with client "bench" (role $BENCH_ROLE, default ehr,
#                            scope system/*.cruds) and its key in DIR; prints the file's path
#   bench_token ORIGIN       prints an access token for client "bench" (run in the same DIR)
BENCH_CLIENT_SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/docs/examples/SmartClient.java"

bench_clients_file() {
  local dir=$1
  (cd "$dir" && java "$BENCH_CLIENT_SOURCE" keygen bench) \
    | sed -e "s/\"role\": \"ehr\"/\"role\": \"${BENCH_ROLE:-ehr}\"/" -e 's#"scope": "system/\*.rs"#"scope": "system/*.cruds"#' \
    | { printf '['; cat; printf ']'; } > "$dir/clients.json"
  echo "$dir/clients.json"
}

bench_token() {
  (cd "$BENCH_DIR" && java "$BENCH_CLIENT_SOURCE" token "$1" bench "system/*.cruds")
}
