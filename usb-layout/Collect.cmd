@echo off
rem Collect.cmd - reads this device's Autopilot hardware hash and saves it on this stick.
rem Picks collect.exe for the machine's architecture; passes any arguments on (e.g. --shutdown).
setlocal
set "ARCH=%PROCESSOR_ARCHITECTURE%"
if defined PROCESSOR_ARCHITEW6432 set "ARCH=%PROCESSOR_ARCHITEW6432%"
set "BIN=x64"
if /i "%ARCH%"=="ARM64" set "BIN=arm64"
rem An ARM64 device and no ARM64 build on the stick: Windows 11 runs x64 programs under
rem emulation (OOBE included); Windows 10 on ARM (x86 emulation only) and WinPE (none) cannot.
if "%BIN%"=="arm64" if not exist "%~dp0collector\arm64\collect.exe" goto :emulate

:run
rem Inside an emulated x64 process PROCESSOR_ARCHITECTURE says AMD64: tell collect what this
rem script saw, so the capture records how collect ran (x64-on-arm64).
set "COLLECT_DEVICE_ARCH=%ARCH%"
set "EXE=%~dp0collector\%BIN%\collect.exe"
rem The build is collect.exe with SQLite's e_sqlite3.dll beside it: without either it cannot save.
set "MISSING="
if not exist "%~dp0collector\%BIN%\e_sqlite3.dll" set "MISSING=%~dp0collector\%BIN%\e_sqlite3.dll"
if not exist "%EXE%" set "MISSING=%EXE%"
if defined MISSING (
  echo.
  echo   ERROR: %MISSING% is missing.
  echo   This stick is incomplete: ask your admin to lay it out again with "collector stick init".
  set "RC=6"
  goto :done
)
rem "%~dp0" ends in a backslash, and \" would escape the closing quote: hence the dot.
"%EXE%" --stick "%~dp0." %*
set "RC=%ERRORLEVEL%"
goto :done

:emulate
reg query "HKLM\SYSTEM\CurrentControlSet\Control\MiniNT" >nul 2>&1
if not errorlevel 1 (
  set "WHY=this is WinPE, which cannot run x64 programs on ARM64"
  goto :noarm64
)
rem Windows 11 is build 22000 or later: "ver" says "Microsoft Windows [Version 10.0.BUILD.N]".
set "BUILD=0"
for /f "tokens=3 delims=.]" %%v in ('ver') do set "BUILD=%%v"
for /f "delims=0123456789" %%x in ("%BUILD%") do set "BUILD=0"
if %BUILD% GEQ 22000 (
  set "BIN=x64"
  goto :run
)
set "WHY=this ARM64 device runs Windows older than 11 (build %BUILD%), which cannot run x64 programs"

:noarm64
echo.
echo   ERROR: this stick has no ARM64 build, and %WHY%.
echo   Capture this device from Windows 11 OOBE (Shift+F10): there the x64 build runs under emulation.
echo   Or ask your admin for a stick with collector\arm64\collect.exe.
set "RC=6"

:done
rem Double-clicked (cmd /c): keep the window open on an error so the message can be read.
if not "%RC%"=="0" (
  for %%a in (%cmdcmdline%) do if /i "%%~a"=="/c" (
    echo.
    pause
    goto :exit
  )
)
:exit
exit /b %RC%
