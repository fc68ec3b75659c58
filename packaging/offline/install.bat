@echo off
rem guihua offline installer for Windows 10/11 (64-bit): finds a Python >= 3.11 and hands over to install.py,
rem which creates the virtual environment and installs from .\wheelhouse with no network.
rem
rem   install.bat [install-dir] [--python C:\path\to\python.exe]
rem
rem UTF-8 with CRLF line ends (the bundle builder writes CRLF). Everything above "chcp 65001" must stay ASCII:
rem cmd reads those lines in the console's old code page.
setlocal EnableExtensions DisableDelayedExpansion
set "OLDCP="
for /f "tokens=2 delims=:." %%C in ('chcp') do set "OLDCP=%%C"
chcp 65001 >nul

if exist "%~dp0install.py" goto unpacked
echo 请先把整个压缩包解压到一个文件夹，再运行其中的 install.bat（不能在压缩包里直接运行）。
set "RC=1"
goto done
:unpacked

set "PYCMD="
set "WANT="
:args
if "%~1"=="" goto args_done
set "ARG=%~1"
if /i "%ARG:~0,9%"=="--python=" (
    set "WANT=%ARG:~9%"
    goto want_given
)
if /i not "%~1"=="--python" goto next_arg
set "WANT=%~2"
:want_given
if not defined WANT (
    echo --python 后面要写 Python 的完整路径，例如：install.bat --python C:\Python311\python.exe
    set "RC=2"
    goto done
)
goto args_done
:next_arg
shift
goto args
:args_done

if not defined WANT goto search
call :try "%WANT%"
if defined PYCMD goto found
echo 指定的 Python 不能使用："%WANT%"
echo 需要 64 位的 Python 3.11 或更新版本。
set "RC=1"
goto done

:search
for %%V in (3.14 3.13 3.12 3.11) do if not defined PYCMD call :trypy %%V
if not defined PYCMD call :try python
for %%V in (314 313 312 311) do if not defined PYCMD call :trydir "%LOCALAPPDATA%\Programs\Python\Python%%V\python.exe"
for %%V in (314 313 312 311) do if not defined PYCMD call :trydir "%ProgramFiles%\Python%%V\python.exe"
if defined PYCMD goto found

echo.
echo 没有找到 Python 3.11 或更新版本（64 位）。
echo 请先安装 Python：运行与本安装包一起拷来的 Python 安装程序，例如 python-3.11.9-amd64.exe，
echo 安装时勾选「Add python.exe to PATH」。详见「离线安装说明.txt」。装好后重新运行 install.bat。
set "RC=1"
goto done

:found
%PYCMD% "%~dp0install.py" %*
set "RC=%ERRORLEVEL%"

:done
if defined OLDCP chcp %OLDCP% >nul
rem Started by double-click (Explorer runs cmd /c "...\install.bat"): keep the window open so the result can
rem be read. Delayed expansion, because the folder's path in CMDCMDLINE may hold & or parentheses.
setlocal EnableDelayedExpansion
if /i not "!CMDCMDLINE:%~nx0=!"=="!CMDCMDLINE!" pause
endlocal
endlocal & exit /b %RC%

:try
"%~1" -c "import platform, sys; sys.exit(0 if sys.version_info >= (3, 11) and sys.maxsize > 2**32 and platform.python_implementation() == 'CPython' else 1)" >nul 2>nul
if not errorlevel 1 set PYCMD="%~1"
exit /b 0

:trydir
if exist "%~1" call :try "%~1"
exit /b 0

:trypy
where py >nul 2>nul || exit /b 0
py -%1 -c "import sys; sys.exit(0 if sys.maxsize > 2**32 else 1)" >nul 2>nul
if not errorlevel 1 set "PYCMD=py -%1"
exit /b 0
