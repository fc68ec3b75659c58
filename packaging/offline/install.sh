#!/bin/sh
# guihua offline installer for Linux (Kylin, UOS, ...): finds a Python >= 3.11 and hands over to install.py,
# which creates the virtual environment and installs from ./wheelhouse with no network.
#
#   sh install.sh [安装目录] [--python /path/to/python3.11] [--no-link]
#
# Messages are Chinese (the users'); see 离线安装说明.md.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)

fits() {
    # A 64-bit CPython >= 3.11?
    "$1" -c 'import platform, sys; sys.exit(0 if sys.version_info >= (3, 11) and sys.maxsize > 2**32 and platform.python_implementation() == "CPython" else 1)' >/dev/null 2>&1
}

PYTHON=""
previous=""
for arg in "$@"; do
    if [ "$previous" = "--python" ]; then PYTHON=$arg; fi
    case $arg in --python=*) PYTHON=${arg#--python=} ;; esac
    previous=$arg
done

if [ -n "$PYTHON" ]; then
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "找不到指定的 Python：$PYTHON"
        exit 1
    fi
    if ! fits "$PYTHON"; then
        echo "指定的 Python 不能使用：$PYTHON（$("$PYTHON" --version 2>&1 || true)）"
        echo "guihua 需要 64 位的 Python 3.11 或更新版本（官方 CPython）。"
        exit 1
    fi
else
    for candidate in python3.14 python3.13 python3.12 python3.11 python3 \
        /usr/local/bin/python3.14 /usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/local/bin/python3.11 \
        /opt/python3.14/bin/python3.14 /opt/python3.13/bin/python3.13 /opt/python3.12/bin/python3.12 \
        /opt/python3.11/bin/python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && fits "$candidate"; then
            PYTHON=$candidate
            break
        fi
    done
fi

if [ -z "$PYTHON" ]; then
    found=""
    if command -v python3 >/dev/null 2>&1; then found=$(python3 --version 2>&1 || true); fi
    echo "没有找到 Python 3.11 或更新版本（64 位）。"
    if [ -n "$found" ]; then
        echo "本机的 python3 是：$found（版本太低，guihua 不能使用）"
    fi
    echo "请先安装 Python 3.11 或更新版本（办法见 离线安装说明.md），再运行："
    echo "    sh install.sh --python /新Python的路径/python3.11"
    exit 1
fi

exec "$PYTHON" "$HERE/install.py" "$@"
