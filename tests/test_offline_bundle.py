"""The offline bundle: scripts/build-offline-bundle, requirements.lock and packaging/offline/.

The fast tests check the lock against pyproject.toml, the per-target marker logic (pip would evaluate markers on
the build host), that an incomplete wheelhouse fails the build, and the guide's rendering. The slow test builds
this machine's Linux bundle (downloads from PyPI, cached by pip), installs it with the network cut
(`unshare --net` where possible, and pip told there is no index), and runs guihua from it.
Set GUIHUA_SKIP_OFFLINE_BUNDLE=1 to skip the slow test on a machine without PyPI.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build-offline-bundle"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def load_builder():
    name = "build_offline_bundle"
    if name in sys.modules:
        return sys.modules[name]
    loader = importlib.machinery.SourceFileLoader(name, str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    sys.modules[name] = module  # dataclasses look their module up while the class is being made
    loader.exec_module(module)
    return module


builder = load_builder()


def test_lock_matches_pyproject():
    errors = builder.check_lock(builder.read_project(), builder.read_lock())
    assert not errors, "\n".join(errors)


def test_a_stale_lock_is_reported_with_the_command_that_refreshes_it():
    project = builder.read_project()
    project.dependencies.append("humanize>=4")
    errors = builder.check_lock(project, builder.read_lock())
    assert any("stale" in e and "humanize>=4" in e for e in errors), errors
    assert any("no pin for humanize>=4" in e for e in errors), errors
    assert errors[-1].endswith("scripts/build-offline-bundle --update-lock")


def test_lock_pins_every_entry_exactly_with_hashes():
    lock = builder.read_lock()
    assert set(lock.targets) == {"win_amd64", "linux_x86_64", "linux_aarch64"}
    assert "3.11" in lock.pythons
    names = {e.name.lower().replace("_", "-") for e in lock.entries}
    assert {"pydantic-core", "sqlalchemy", "pip"} <= names
    assert "greenlet" not in names  # only SQLAlchemy's asyncio extra needs it
    for entry in lock.entries:
        assert entry.hashes and all(len(h) == 64 for h in entry.hashes), entry.pin


def dist(name, version, *requires, requires_python=None):
    return builder.Dist(name, version, list(requires), requires_python)


PINS = {
    "click": dist("click", "8.1.7", 'colorama; platform_system == "Windows"'),
    "colorama": dist("colorama", "0.4.6"),
    "psycopg": dist("psycopg", "3.2.3", 'typing-extensions>=4.6; python_version < "3.13"',
                    'tzdata; sys_platform == "win32"',
                    'psycopg-binary==3.2.3; implementation_name != "pypy" and extra == "binary"'),
    "psycopg-binary": dist("psycopg-binary", "3.2.3"),
    "typing-extensions": dist("typing_extensions", "4.12.2"),
    "tzdata": dist("tzdata", "2024.2"),
}


def test_markers_are_evaluated_for_each_target_not_the_build_host():
    roots = [(builder.Requirement("click>=8.1"), "guihua"),
             (builder.Requirement("psycopg[binary]>=3.2"), "guihua[postgres]")]
    targets = sorted(builder.TARGETS)
    pythons = ["3.11", "3.12", "3.13"]
    needed_in = {}
    for name in targets:
        for python in pythons:
            env = builder.TARGETS[name].environment(python)
            result = builder.walk(roots, env, builder.pick_pinned(PINS))
            assert not result.missing and not result.problems
            for package in result.needed:
                needed_in.setdefault(package, set()).add((name, python))
    assert needed_in["colorama"] == {("win_amd64", p) for p in pythons}
    assert needed_in["tzdata"] == {("win_amd64", p) for p in pythons}
    assert needed_in["psycopg-binary"] == {(t, p) for t in targets for p in pythons}
    assert needed_in["typing-extensions"] == {(t, p) for t in targets for p in ("3.11", "3.12")}

    markers = {name: builder.combined_marker(envs, targets, pythons) for name, envs in needed_in.items()}
    assert markers["colorama"] == 'sys_platform == "win32"'
    assert markers["typing-extensions"] == 'python_version < "3.13"'
    assert markers["psycopg-binary"] is None
    # Whatever the marker says, it must select exactly the environments that need the package.
    for name, envs in needed_in.items():
        entry = builder.LockEntry(name, "1", markers[name], ["0" * 64], [])
        chosen = {(t, p) for t in targets for p in pythons if entry.active(builder.TARGETS[t].environment(p))}
        assert chosen == envs, name


def test_combined_marker_for_one_linux_target_and_some_pythons():
    targets = sorted(builder.TARGETS)
    pythons = ["3.11", "3.12", "3.13", "3.14"]
    needed = {("linux_aarch64", "3.13"), ("linux_aarch64", "3.14"), ("win_amd64", "3.11")}
    marker = builder.combined_marker(needed, targets, pythons)
    entry = builder.LockEntry("x", "1", marker, [], [])
    chosen = {(t, p) for t in targets for p in pythons if entry.active(builder.TARGETS[t].environment(p))}
    assert chosen == needed, marker


def make_wheel(folder: Path, name: str, version: str, tag: str, *requires: str) -> Path:
    path = folder / f"{name}-{version}-{tag}.whl"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata)
    return path


def test_incomplete_wheelhouse_fails_the_build(tmp_path):
    project = builder.Project("guihua", "0.1.0", ">=3.11", ["pydantic-core"], {})
    make_wheel(tmp_path, "guihua", "0.1.0", "py3-none-any", "pydantic-core>=2",
               'colorama; sys_platform == "win32"')
    make_wheel(tmp_path, "pip", "25.0", "py3-none-any")
    make_wheel(tmp_path, "pydantic_core", "2.27.1", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")

    verdict = builder.verify_wheelhouse(builder.TARGETS["linux_x86_64"], ["3.11"], tmp_path, project)
    assert verdict.glibc_core == (2, 17)
    assert len(verdict.files) == 3

    with pytest.raises(builder.BuildError) as missing_python:
        builder.verify_wheelhouse(builder.TARGETS["linux_x86_64"], ["3.11", "3.12"], tmp_path, project)
    assert "Python 3.12: nothing satisfies pydantic-core>=2" in str(missing_python.value)

    with pytest.raises(builder.BuildError) as windows:
        builder.verify_wheelhouse(builder.TARGETS["win_amd64"], ["3.11"], tmp_path, project)
    message = str(windows.value)
    assert "pydantic-core>=2" in message and "manylinux" in message  # names the wheel that does not fit
    assert 'colorama; sys_platform == "win32"' in message  # a Windows-only dependency the host would skip

    with pytest.raises(builder.BuildError):
        builder.verify_wheelhouse(builder.TARGETS["linux_aarch64"], ["3.11"], tmp_path, project)


@pytest.mark.parametrize("target", sorted(builder.TARGETS))
def test_install_guide_renders_for_each_target(target):
    template = (builder.PACKAGING / builder.GUIDE_TEMPLATE).read_text(encoding="utf-8")
    context = {"version": "0.1.0", "target": target, "target_label": builder.TARGETS[target].label,
               "bundle": f"guihua-0.1.0-offline-{target}", "pythons": "3.11–3.14", "glibc": "2.17",
               "glibc_extras": "2.28", "extras_note": builder.extras_note(["postgres"]), "glibc_note": ""}
    guide = builder.render_guide(template, builder.TARGETS[target], context)
    assert "Python 3.11" in guide and "LoongArch" in guide and "升级" in guide and "PostgreSQL" in guide
    if target == "win_amd64":
        assert "install.bat" in guide and "python.org" in guide and "%LOCALAPPDATA%" in guide
        assert "install.sh" not in guide and "~/.local" not in guide
    else:
        assert "sh install.sh" in guide and "glibc 2.17" in guide and "~/.local/share/guihua" in guide
        assert "install.bat" not in guide and "LOCALAPPDATA" not in guide


def _offline_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "GUIHUA_")) and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_STATE_HOME=str(home / "state"),
               LANG="C.UTF-8", LC_ALL="C.UTF-8",
               # Belt and braces: install.py passes --no-index and ignores pip configuration anyway.
               PIP_NO_INDEX="1", PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_CONFIG_FILE=os.devnull)
    return env


def _network_cut() -> list[str]:
    """`unshare --net`: the command runs with no network interface at all (needs root or user namespaces)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    for prefix in ([unshare, "--net"], [unshare, "--net", "--map-root-user"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    return []


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("GUIHUA_SKIP_OFFLINE_BUNDLE") == "1",
                    reason="GUIHUA_SKIP_OFFLINE_BUNDLE=1 (building a bundle downloads wheels from PyPI)")
def test_linux_bundle_installs_and_runs_without_network(tmp_path):
    target = {"x86_64": "linux_x86_64", "aarch64": "linux_aarch64"}.get(platform.machine())
    if not sys.platform.startswith("linux") or target is None:
        pytest.skip("builds the bundle of this machine's kind: Linux x86_64 or aarch64")
    started = time.monotonic()
    out = tmp_path / "out"
    build = subprocess.run([sys.executable, str(SCRIPT), "--target", target, "--output", str(out)],
                           capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout + build.stderr
    built = time.monotonic()
    archive = out / f"guihua-{VERSION}-offline-{target}.tar.gz"
    assert archive.exists(), build.stdout
    assert archive.stat().st_size < 150e6

    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tf:
        names = tf.getnames()
        tf.extractall(unpacked, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    bundle = unpacked / f"guihua-{VERSION}-offline-{target}"
    assert {f"{bundle.name}/install.sh", f"{bundle.name}/install.py", f"{bundle.name}/离线安装说明.md",
            f"{bundle.name}/bundle.json"} <= set(names)
    assert os.access(bundle / "install.sh", os.X_OK)
    assert any(p.name.startswith(f"guihua-{VERSION}-") for p in (bundle / "wheelhouse").glob("*.whl"))

    home = tmp_path / "home"
    home.mkdir()
    env = _offline_env(home)
    cut = _network_cut()
    install_dir = tmp_path / "installed"
    installed = subprocess.run([*cut, "sh", str(bundle / "install.sh"), str(install_dir)], capture_output=True,
                               text=True, env=env, cwd=tmp_path, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "安装完成" in installed.stdout
    log = (install_dir / "install.log").read_text(encoding="utf-8")
    assert "--no-index" in log

    def guihua(*args):
        return subprocess.run([*cut, str(install_dir / "guihua"), *map(str, args)], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)

    version = guihua("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"guihua {VERSION}", version.stderr
    where = subprocess.run([str(install_dir / "venv" / "bin" / "python"), "-c", "import tui; print(tui.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(install_dir / "venv"), where.stdout + where.stderr
    if "postgres" in builder.read_project().extras:  # bundled extras are installed by default
        driver = subprocess.run([str(install_dir / "venv" / "bin" / "python"), "-c", "import psycopg"],
                                capture_output=True, text=True, env=env, cwd=tmp_path)
        assert driver.returncode == 0, driver.stderr

    database = tmp_path / "data" / "guihua.sqlite3"
    plans = guihua("--db", database, "plans")
    assert plans.returncode == 0, plans.stderr
    assert "泰州" in plans.stdout  # the bundled plan, imported on first use
    pack = tmp_path / "pack.xlsx"
    exported = guihua("--db", database, "export", "-o", pack)
    assert exported.returncode == 0, exported.stderr
    assert pack.exists() and zipfile.is_zipfile(pack)
    assert (home / ".local" / "bin" / "guihua").resolve() == (install_dir / "guihua").resolve()
    print(f"\noffline bundle {archive.name}: {archive.stat().st_size / 1e6:.1f} MB; build {built - started:.0f} s, "
          f"install and run {time.monotonic() - built:.0f} s; network cut: {' '.join(cut) or 'no (pip --no-index only)'}")


def load_installer():
    spec = importlib.util.spec_from_file_location("guihua_offline_install", builder.PACKAGING / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


installer = load_installer()
ARM_MANIFEST = {"name": "guihua", "version": "0.1.0", "target": "linux_aarch64", "os": "linux",
                "machine": "aarch64", "python_versions": ["3.11", "3.12", "3.13", "3.14"], "extras": ["postgres"],
                "glibc": "2.17", "glibc_extras": "2.27"}


def test_installer_leaves_out_extras_that_need_a_newer_glibc(monkeypatch):
    monkeypatch.setattr(installer.platform, "libc_ver", lambda: ("glibc", "2.28"))
    assert installer.choose_extras(ARM_MANIFEST) == ["postgres"]
    monkeypatch.setattr(installer.platform, "libc_ver", lambda: ("glibc", "2.24"))
    assert installer.choose_extras(ARM_MANIFEST) == []
    monkeypatch.setattr(installer.platform, "libc_ver", lambda: ("glibc", "2.12"))
    with pytest.raises(installer.InstallError, match="glibc"):
        installer.choose_extras(ARM_MANIFEST)


def test_installer_names_the_right_bundle_or_says_unsupported(monkeypatch):
    monkeypatch.setattr(installer.sys, "platform", "linux")
    monkeypatch.setattr(installer.platform, "machine", lambda: "loongarch64")
    with pytest.raises(installer.InstallError, match="龙芯"):
        installer.check_platform(ARM_MANIFEST)
    monkeypatch.setattr(installer.platform, "machine", lambda: "x86_64")
    with pytest.raises(installer.InstallError, match="linux_x86_64"):
        installer.check_platform(ARM_MANIFEST)
    monkeypatch.setattr(installer.platform, "machine", lambda: "aarch64")
    installer.check_platform(ARM_MANIFEST)


def test_installer_refuses_a_python_the_bundle_has_no_wheels_for():
    with pytest.raises(installer.InstallError, match="3.99"):
        installer.check_python({**ARM_MANIFEST, "python_versions": ["3.99"]})
    installer.check_python({**ARM_MANIFEST, "python_versions": [f"{sys.version_info[0]}.{sys.version_info[1]}"]})


def test_installer_explains_bad_arguments_in_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        installer.main(["--python"])
    assert exit_.value.code == 2
    out = capsys.readouterr().out
    assert "命令行参数有误" in out and "用法：install" in out


def test_installer_turns_a_directory_it_cannot_create_into_a_message(monkeypatch, tmp_path, capsys):
    """No traceback for an install folder that cannot be made (here: under a file); nothing is left behind."""
    manifest = {**ARM_MANIFEST, "target": "linux_x86_64", "machine": platform.machine(), "files": {},
                "python_versions": [f"{sys.version_info[0]}.{sys.version_info[1]}"], "glibc": "2.5", "glibc_extras": "2.5"}
    monkeypatch.setattr(installer, "load_manifest", lambda: manifest)
    monkeypatch.setattr(installer, "check_platform", lambda manifest: None)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert installer.main([str(blocker / "guihua")]) == 1
    out = capsys.readouterr().out
    assert "安装没有完成：无法读写" in out and str(blocker) in out and "Traceback" not in out


def test_installer_on_windows_drops_the_quote_cmd_leaves_after_a_trailing_backslash(monkeypatch):
    seen = {}
    monkeypatch.setattr(installer.sys, "platform", "win32")
    monkeypatch.setattr(installer, "install", lambda options: seen.update(directory=options.directory))
    assert installer.main(['D:\\新 目录"']) == 0
    assert seen["directory"] == "D:\\新 目录"
    seen.clear()
    assert installer.main(['D:\\新 目录" --python C:\\Python311\\python.exe']) == 0  # later arguments glued on
    assert seen["directory"] == "D:\\新 目录"
