#!/usr/bin/env bash
# The quickstart, end to end, with no account and no network: start the emulator, create a PolyAI webhook
# pointing at `voicehooks listen`, list it, test it, toggle it, trigger a real event and see `listen` verify
# it. Exits 0 when every step did what it should; stops its background processes on every path.
set -euo pipefail

cd "$(dirname "$0")/.."
[ -f dist/commands/emulator/trigger.js ] || npm run build >/dev/null

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export VOICEHOOKS_CONFIG_DIR="$work/config"
# A function runs in the shell for foreground steps; background ones start node itself (exec), so that the
# PID kept for cleanup is node's and not a subshell's.
voicehooks() { node bin/run.js "$@"; }
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# Waits until a background process has written its "listening" line (or died).
wait_for() {
  for _ in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "demo: timed out waiting for $1" >&2
  return 1
}

step() { printf '\n$ voicehooks %s\n' "$*" >&2; }

# 1. The emulator, on 4747 (or VOICEHOOKS_DEMO_PORT) when it is free, else on any free port.
port="${VOICEHOOKS_DEMO_PORT:-4747}"
node -e 'require("net").createServer().once("error",()=>process.exit(1)).listen(+process.argv[1],"127.0.0.1",function(){this.close()})' "$port" ||
  port="$(free_port)"
node bin/run.js emulator --port "$port" 2>"$work/emulator.log" &
pids+=($!)
wait_for "$work/emulator.log" 'listening on'
eval "$(voicehooks emulator env --port "$port")"

# 2. A webhook pointing at the local listener.
listen_port="$(free_port)"
step create -p polyai --name demo --url "http://127.0.0.1:$listen_port/hooks" --event alerts.triggered
id="$(voicehooks create -p polyai --name demo --url "http://127.0.0.1:$listen_port/hooks" \
  --event alerts.triggered --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')"
echo "created $id" >&2

# 3. The listener verifies with the signing secret that create kept in the config's secret store.
node bin/run.js listen -p polyai --webhook "$id" --port "$listen_port" --max-events 2 --json \
  >"$work/listen.out" 2>"$work/listen.log" &
listen_pid=$!
pids+=("$listen_pid")
wait_for "$work/listen.log" '127.0.0.1'

step list -p polyai
voicehooks list -p polyai

step test "$id" -p polyai
voicehooks test "$id" -p polyai

step toggle "$id" -p polyai --off
voicehooks toggle "$id" -p polyai --off
step toggle "$id" -p polyai --on
voicehooks toggle "$id" -p polyai --on

step emulator trigger alerts.triggered -p polyai
voicehooks emulator trigger alerts.triggered -p polyai

# 4. listen stops after its two deliveries: the test and the triggered event, both verified.
wait "$listen_pid"
printf '\nlisten received:\n' >&2
cat "$work/listen.out" >&2
verified="$(grep -c '"verification":"verified"' "$work/listen.out" || true)"
if [ "$verified" != 2 ]; then
  echo "demo: expected 2 verified deliveries, listen saw $verified" >&2
  exit 1
fi
echo 'demo: the test delivery and the triggered alerts.triggered were both verified by listen' >&2
