# -*- coding: utf-8 -*-
"""guihua offline installer, shipped inside every offline bundle and started by install.sh / install.bat.

Creates a virtual environment (default: `venv` next to this file, or in the directory given), installs guihua
from the bundle's wheelhouse with pip run straight from its wheel (`--no-index`: never the network, and no
ensurepip needed, which Debian-based systems often lack), writes a launcher (`guihua` / `guihua.bat`), and
checks the result by running `guihua --version` and opening a scratch database.

Standard library only, and no syntax newer than Python 3.4, so that an old python3 still gets to the Chinese
message saying it is too old. Messages to the user are Chinese; code and comments English.
"""

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "guihua-install.json"  # written into the environment: "this directory is guihua's"
MIN_PYTHON = (3, 11)


class InstallError(Exception):
    pass


def say(message=""):
    try:
        print(message, flush=True)
    except UnicodeEncodeError:  # a terminal that cannot show Chinese: still say something
        print(message.encode(sys.stdout.encoding or "ascii", "replace").decode(sys.stdout.encoding or "ascii"),
              flush=True)


def warn(message):
    say("警告：" + message)


def load_manifest():
    path = os.path.join(HERE, "bundle.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        raise InstallError("找不到或无法读取 {0}。请把安装包完整解压后再运行安装程序。".format(path))


def version_text(info):
    return ".".join(str(part) for part in info)


# ------------------------------------------------------------------------------------------------------------
# Checks before anything is written


def check_python(manifest):
    supported = manifest["python_versions"]
    here = "{0}.{1}".format(*sys.version_info[:2])
    if sys.version_info[:2] < MIN_PYTHON:
        raise InstallError(
            "当前 Python 版本是 {0}（{1}），guihua 需要 Python {2} 或更新版本。\n"
            "请按《离线安装说明》先安装 Python {3}，再重新运行安装程序；"
            "也可以用 --python 指定新 Python 的路径。".format(
                version_text(sys.version_info[:3]), sys.executable, version_text(MIN_PYTHON), supported[0]))
    if platform.python_implementation() != "CPython":
        raise InstallError("需要官方的 CPython，当前是 {0}。".format(platform.python_implementation()))
    if sys.maxsize <= 2 ** 32:
        raise InstallError("当前 Python 是 32 位的（{0}）。guihua 只支持 64 位 Python，"
                           "请安装 64 位版本。".format(sys.executable))
    if here not in supported:
        raise InstallError(
            "本安装包里的组件只适用于 Python {0}，当前是 Python {1}（{2}）。\n"
            "请改用其中一个版本的 Python（用 --python 指定路径），或向技术支持索取适用于 Python {1} 的安装包。".format(
                "、".join(supported), here, sys.executable))


def machine():
    name = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(name, name)


def check_platform(manifest):
    target = manifest["target"]
    here = machine()
    if manifest["os"] == "windows":
        if sys.platform != "win32":
            raise InstallError("这是 Windows 安装包，本机不是 Windows。Linux 请使用 linux_x86_64 或 linux_aarch64 安装包。")
        if here != "x86_64":
            raise InstallError("本机处理器是 {0}。Windows 安装包只支持 64 位 x86 处理器（Intel/AMD）。".format(here))
        return
    if not sys.platform.startswith("linux"):
        raise InstallError("这是 Linux 安装包（{0}），本机不是 Linux。Windows 请使用 win_amd64 安装包。".format(target))
    if here != manifest["machine"]:
        right = {"x86_64": "linux_x86_64", "aarch64": "linux_aarch64"}.get(here)
        if right:
            raise InstallError("这个安装包是给 {0} 处理器用的，本机是 {1}。请改用 {2} 安装包。".format(
                manifest["machine"], here, right))
        if here.startswith("loongarch"):
            raise InstallError("本机是龙芯 LoongArch（{0}）处理器。guihua 依赖的 pydantic-core 没有龙芯版本，"
                               "目前不支持龙芯。".format(here))
        raise InstallError("本机处理器是 {0}，guihua 目前只支持 x86_64 和 ARM64（aarch64）。".format(here))


def glibc_version():
    name, version = platform.libc_ver()
    if name != "glibc" or not version:
        return None
    try:
        return tuple(int(part) for part in version.split(".")[:2])
    except ValueError:
        return None


def parse_version(text):
    return tuple(int(part) for part in text.split("."))


def choose_extras(manifest):
    """The bundled extras this machine can take (e.g. PostgreSQL support needs a newer glibc on ARM64)."""
    extras = list(manifest.get("extras") or [])
    if manifest["os"] != "linux":
        return extras
    have = glibc_version()
    if have is None:
        warn("无法确定本机的 glibc 版本，继续安装；如果安装失败，请把输出发给技术支持。")
        return extras
    needed = parse_version(manifest["glibc"])
    if have < needed:
        raise InstallError("本机的 glibc 版本是 {0}，guihua 需要 {1} 或更新（查看：ldd --version）。"
                           "这个系统版本太旧，无法安装。".format(version_text(have), manifest["glibc"]))
    if extras and have < parse_version(manifest["glibc_extras"]):
        warn("本机 glibc {0} 低于 {1}，不安装连接 PostgreSQL 服务器所需的组件（{2}）；"
             "使用本机数据库文件不受影响。".format(version_text(have), manifest["glibc_extras"], "、".join(extras)))
        return []
    return extras


def check_sqlite():
    """guihua's local database file needs Python's sqlite3 module (any SQLite version: no extension is used)."""
    try:
        import sqlite3  # noqa: F401
    except ImportError:
        warn("这个 Python 没有 sqlite3 模块，guihua 无法使用本机数据库文件（只能连接 PostgreSQL 服务器）。"
             "请换用带 SQLite 的 Python（如 python.org 的安装程序；自行编译时先装 sqlite 开发包）。")
        return False
    return True


def check_files(manifest):
    """Every wheel present and intact (a bad USB copy fails here, with a clear message)."""
    broken = []
    for relative, expected in sorted(manifest["files"].items()):
        path = os.path.join(HERE, *relative.split("/"))
        try:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            broken.append(relative + "（缺失）")
            continue
        if digest.hexdigest() != expected:
            broken.append(relative + "（内容不符）")
    if broken:
        raise InstallError("安装包文件不完整或已损坏：\n  " + "\n  ".join(broken) +
                           "\n请重新拷贝并完整解压安装包后再试。")


# ------------------------------------------------------------------------------------------------------------
# Installing


def venv_python(env_dir):
    if sys.platform == "win32":
        return os.path.join(env_dir, "Scripts", "python.exe")
    return os.path.join(env_dir, "bin", "python")


def venv_program(env_dir):
    if sys.platform == "win32":
        return os.path.join(env_dir, "Scripts", "guihua.exe")
    return os.path.join(env_dir, "bin", "guihua")


def pip_environment():
    """No pip configuration, no index, no user site: only the wheelhouse counts."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith("PIP_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"))
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1",
               PYTHONNOUSERSITE="1", PYTHONIOENCODING="utf-8")
    return env


def run(command, log, env=None, cwd=None):
    """Run a command, appending its output to the install log; returns (exit code, output)."""
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    output = result.stdout.decode("utf-8", "replace")
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("$ " + " ".join(command) + "\n" + output + "\n")
    return result.returncode, output


def set_aside(env_dir):
    """An earlier guihua environment is moved aside (and restored if this install fails)."""
    if not os.path.exists(env_dir):
        return None
    if not os.path.exists(os.path.join(env_dir, MARKER)):
        raise InstallError("{0} 已经存在，但不是 guihua 的安装目录，安装程序不会改动它。\n"
                           "请指定另一个安装目录。".format(env_dir))
    old = env_dir + ".old"
    if os.path.exists(old):
        shutil.rmtree(old)
    try:
        os.rename(env_dir, old)
    except OSError:
        raise InstallError("无法替换原有的安装（{0}）。guihua 是否还开着？请先关闭所有 guihua 窗口再安装。".format(
            env_dir))
    return old


def create_environment(env_dir, log):
    code, output = run([sys.executable, "-m", "venv", "--without-pip", env_dir], log)
    if code != 0 or not os.path.exists(venv_python(env_dir)):
        raise InstallError("创建 Python 虚拟环境失败：\n" + tail(output) +
                           "\n如果提示缺少 venv 模块，请让系统管理员安装 python3-venv（或对应版本的 venv）软件包。")


def install_packages(env_dir, manifest, extras, log):
    wheelhouse = os.path.join(HERE, "wheelhouse")
    pip_wheel = os.path.join(wheelhouse, manifest["pip_wheel"])
    pip_version = manifest["pip_wheel"].split("-")[1]
    requirement = "{0}[{1}]=={2}".format(manifest["name"], ",".join(extras), manifest["version"]) if extras \
        else "{0}=={1}".format(manifest["name"], manifest["version"])
    command = [venv_python(env_dir), os.path.join(pip_wheel, "pip"), "install", "--no-index", "--find-links",
               wheelhouse, "--only-binary=:all:", "--no-cache-dir", "--no-warn-script-location",
               "--disable-pip-version-check", requirement, "pip==" + pip_version]
    code, output = run(command, log, env=pip_environment())
    if code != 0:
        raise InstallError("安装组件失败（没有联网，只使用安装包内的文件）：\n" + tail(output))


def tail(output, lines=15):
    return "\n".join("  " + line for line in output.strip().splitlines()[-lines:])


def write_launcher(install_dir, env_dir):
    program = venv_program(env_dir)
    if sys.platform == "win32":
        path = os.path.join(install_dir, "guihua.bat")
        relative = os.path.relpath(program, install_dir)
        text = ("@echo off\r\n"
                "rem guihua launcher written by install.bat. Moved this folder? Run install.bat again.\r\n"
                "\"%~dp0{0}\" %*\r\n"
                "set \"GUIHUA_RC=%ERRORLEVEL%\"\r\n"
                "rem Started by double-click and failed: keep the window open so the message can be read.\r\n"
                "if \"%~1\"==\"\" if not \"%GUIHUA_RC%\"==\"0\" pause\r\n"
                "exit /b %GUIHUA_RC%\r\n").format(relative)
        with open(path, "w", encoding="ascii", newline="") as handle:
            handle.write(text)
        return path
    path = os.path.join(install_dir, "guihua")
    text = ("#!/bin/sh\n"
            "# guihua launcher written by install.sh. Moved this folder? Run install.sh again.\n"
            "exec \"{0}\" \"$@\"\n").format(program.replace("\"", "\\\""))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o755)
    return path


def link_into_path(launcher):
    """Linux: ~/.local/bin/guihua -> launcher, so `guihua` works in any terminal (after the next login at
    worst: the default ~/.profile of Kylin/UOS/Debian puts ~/.local/bin on PATH when it exists)."""
    home = os.path.expanduser("~")
    bin_dir = os.path.join(home, ".local", "bin")
    link = os.path.join(bin_dir, "guihua")
    try:
        if not os.path.isdir(bin_dir):
            os.makedirs(bin_dir)
        if os.path.islink(link):
            os.remove(link)
        elif os.path.exists(link):
            with open(link, "rb") as handle:
                ours = b"guihua launcher written by install.sh" in handle.read(4096)
            if not ours:
                warn("{0} 已存在且不是 guihua 的启动脚本，没有改动它。".format(link))
                return None
            os.remove(link)
        os.symlink(launcher, link)
    except OSError as exc:
        warn("没能在 {0} 创建 guihua 命令（{1}）。可以直接运行 {2}。".format(bin_dir, exc, launcher))
        return None
    on_path = any(os.path.realpath(p) == os.path.realpath(bin_dir)
                  for p in os.environ.get("PATH", "").split(os.pathsep) if p)
    return link, on_path


def self_check(env_dir, manifest, sqlite_ok, log):
    """guihua --version must answer; a scratch database with the bundled plan must open (SQLite)."""
    env = dict((k, v) for k, v in os.environ.items() if k not in ("GUIHUA_DB", "PYTHONPATH", "PYTHONHOME"))
    env["PYTHONIOENCODING"] = "utf-8"  # the log is UTF-8 whatever the console's code page
    scratch = tempfile.mkdtemp(prefix="guihua-check-")
    try:
        code, output = run([venv_program(env_dir), "--version"], log, env=env, cwd=scratch)
        expected = "guihua " + manifest["version"]
        if code != 0 or expected not in output:
            raise InstallError("安装后的检查失败：guihua --version 没有正常运行：\n" + tail(output))
        if not sqlite_ok:
            return
        code, output = run([venv_program(env_dir), "--db", os.path.join(scratch, "check.sqlite3"), "plans"], log,
                           env=env, cwd=scratch)
        if code != 0:
            warn("guihua 已安装，但试打开数据库时出错：\n" + tail(output, 8))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def install(options):
    manifest = load_manifest()
    say("guihua {0} 离线安装（{1}）".format(manifest["version"], manifest["target"]))
    say("[1/5] 检查本机环境 …")
    check_python(manifest)
    check_platform(manifest)
    extras = choose_extras(manifest)
    sqlite_ok = check_sqlite()
    say("      Python {0}：{1}".format(platform.python_version(), sys.executable))
    say("[2/5] 检查安装包文件 …")
    check_files(manifest)

    install_dir = os.path.abspath(options.directory or HERE)
    env_dir = os.path.join(install_dir, "venv")
    if not os.path.isdir(install_dir):
        os.makedirs(install_dir)
    log = os.path.join(install_dir, "install.log")
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("\n=== {0} guihua {1} {2} with {3}\n".format(
            time.strftime("%Y-%m-%d %H:%M:%S"), manifest["version"], manifest["target"], sys.executable))

    say("[3/5] 创建 Python 虚拟环境：{0}".format(env_dir))
    old = set_aside(env_dir)
    try:
        create_environment(env_dir, log)
        say("[4/5] 从安装包安装 guihua 及其组件（不联网）…")
        install_packages(env_dir, manifest, extras, log)
        say("[5/5] 检查安装结果 …")
        self_check(env_dir, manifest, sqlite_ok, log)
        with open(os.path.join(env_dir, MARKER), "w", encoding="utf-8") as handle:
            json.dump({"version": manifest["version"], "target": manifest["target"], "extras": extras,
                       "python": sys.executable, "installed_at": time.strftime("%Y-%m-%d %H:%M:%S")},
                      handle, ensure_ascii=False, indent=2)
    except BaseException:
        shutil.rmtree(env_dir, ignore_errors=True)
        if old:
            os.rename(old, env_dir)
            say("已恢复原来的安装。")
        raise
    if old:
        shutil.rmtree(old, ignore_errors=True)

    launcher = write_launcher(install_dir, env_dir)
    say("")
    say("安装完成：guihua {0}".format(manifest["version"]))
    if sys.platform == "win32":
        say("启动：双击 {0}，或在 Windows Terminal 中运行它".format(launcher))
        say("      （命令行用法：{0} --help）".format(launcher))
        say("数据保存在：%LOCALAPPDATA%\\guihua\\guihua.sqlite3（程序文件夹里没有数据，升级、重装不影响数据）")
    else:
        linked = None if options.no_link else link_into_path(launcher)
        if linked and linked[1]:
            say("启动：在终端中输入  guihua")
        elif linked:
            say("启动：重新登录后在终端中输入 guihua；现在可以运行  {0}".format(launcher))
        else:
            say("启动：在终端中运行  {0}".format(launcher))
        say("数据保存在：~/.local/share/guihua/guihua.sqlite3（程序文件夹里没有数据，升级、重装不影响数据）")
    say("安装记录：{0}".format(log))


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        say("命令行参数有误（{0}）。".format(message))
        say("用法：install [安装目录] [--python Python 的路径]" + ("" if sys.platform == "win32" else " [--no-link]"))
        sys.exit(2)


def report_unexpected():
    """Write the traceback where the user can send it from; say where."""
    import traceback

    for folder in (HERE, tempfile.gettempdir()):
        path = os.path.join(folder, "install-error.log")
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write("\n=== {0}\n".format(time.strftime("%Y-%m-%d %H:%M:%S")))
                traceback.print_exc(file=handle)
            return path
        except OSError:
            continue
    return None


def main(argv=None):
    parser = ChineseArgumentParser(
        prog="install", description="离线安装 guihua：在安装目录中创建 Python 虚拟环境并安装，不需要联网。")
    parser.add_argument("directory", nargs="?", help="安装目录（默认：安装包所在的文件夹）")
    parser.add_argument("--python", metavar="路径", help="使用指定的 Python（由 install.sh / install.bat 处理）")
    parser.add_argument("--no-link", action="store_true", help="Linux：不在 ~/.local/bin 中创建 guihua 命令")
    options = parser.parse_args(argv)
    if options.directory and sys.platform == "win32":
        # cmd hands "D:\新 目录\" over as D:\新 目录" (the backslash escapes the closing quote), with any
        # later arguments glued on; a Windows path cannot hold a quote, and install.bat has read --python itself
        options.directory = options.directory.split('"')[0].strip() or None
    try:
        install(options)
    except InstallError as exc:
        say("")
        say("安装没有完成：" + str(exc))
        return 1
    except KeyboardInterrupt:
        say("已中断，没有完成安装。")
        return 130
    except OSError as exc:
        say("")
        if exc.filename:
            say("安装没有完成：无法读写 {0}（{1}）。请检查安装目录是否存在、是否有写入权限、磁盘是否已满。".format(
                exc.filename, exc.strerror or exc))
        else:
            say("安装没有完成：系统报告错误（{0}）。请检查安装目录的权限和磁盘空间后重试。".format(exc.strerror or exc))
        return 1
    except Exception:
        path = report_unexpected()
        say("")
        say("安装没有完成：发生了意外的问题。" + ("详细信息已写入 {0}，请发给技术支持。".format(path) if path else ""))
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
