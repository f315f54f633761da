import assert from "node:assert/strict";
import { DeviceError } from "../../errors.ts";
import { WIN32_ERRORS } from "./windows_dcb.ts";
import { win32Name, windowsOpenError } from "./windows_open_error.ts";

Deno.test("windowsOpenError: a COM port another program holds is E_PORT_BUSY naming the Win32 error", () => {
  for (const code of [WIN32_ERRORS.ERROR_ACCESS_DENIED, WIN32_ERRORS.ERROR_SHARING_VIOLATION]) {
    const error = windowsOpenError("COM7", code);
    assert.ok(error instanceof DeviceError);
    assert.equal(error.code, "E_PORT_BUSY");
    assert.match(error.message, /COM7 is in use by another program/);
    assert.match(error.message, new RegExp(win32Name(code)));
    assert.match(error.hint ?? "", /close the other program/);
  }
});

Deno.test("windowsOpenError: no such COM port is E_PORT_MISSING pointing at `flashrecipe ports`", () => {
  for (
    const code of [
      WIN32_ERRORS.ERROR_FILE_NOT_FOUND,
      WIN32_ERRORS.ERROR_PATH_NOT_FOUND,
      WIN32_ERRORS.ERROR_INVALID_NAME,
    ]
  ) {
    const error = windowsOpenError("COM42", code);
    assert.equal(error.code, "E_PORT_MISSING", win32Name(code));
    assert.match(error.message, /COM42 does not exist/);
    assert.match(error.hint ?? "", /flashrecipe ports/);
  }
});

Deno.test("windowsOpenError: anything else is E_PORT_IO naming the code, known or not", () => {
  assert.equal(windowsOpenError("COM3", WIN32_ERRORS.ERROR_GEN_FAILURE).code, "E_PORT_IO");
  assert.match(windowsOpenError("COM3", WIN32_ERRORS.ERROR_GEN_FAILURE).message, /ERROR_GEN_FAILURE/);
  assert.match(windowsOpenError("COM3", 0xffffffff).message, /Win32 error 4294967295/);
});
