@echo off
rem Collect.cmd - reads this device's Autopilot hardware hash and saves it on this stick.
rem Picks collect.exe for the machine's architecture; passes any arguments on (e.g. --shutdown).
setlocal
set "ARCH=%PROCESSOR_ARCHITECTURE%"
if defined PROCESSOR_ARCHITEW6432 set "ARCH=%PROCESSOR_ARCHITEW6432%"
set "BIN=x64"
if /i "%ARCH%"=="ARM64" set "BIN=arm64"
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
