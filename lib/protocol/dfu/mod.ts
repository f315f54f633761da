/**
 * USB DFU 1.1 with ST's DfuSe extensions (AN3156), host side: descriptors, memory layouts, states and statuses,
 * errors, and {@linkcode DfuseDevice}, which runs DfuSe operations on any `UsbControlDevice`.
 *
 * @module
 */

export { DfuseDevice } from "./dfuse_device.ts";
export type { DfuProgress, DfuseAlternate, DfuseDeviceOptions, DfuStatusReport, ResetOutcome } from "./dfuse_device.ts";
export {
  DfuDisconnectedError,
  DfuProtocolError,
  DfuStatusError,
  isUsbDisconnect,
  isUsbStall,
  USB_NO_DEVICE,
  USB_STALL,
  UsbDisconnectedError,
  UsbStallError,
} from "./errors.ts";
export {
  DfuAttribute,
  DFUSE_VERSION,
  encodeFunctionalDescriptor,
  parseFunctionalDescriptor,
} from "./functional_descriptor.ts";
export type { DfuFunctionalDescriptor } from "./functional_descriptor.ts";
export { findDfuInterface } from "./interfaces.ts";
export type { DfuAlternateSetting, DfuInterface } from "./interfaces.ts";
export {
  layoutAllows,
  layoutPages,
  layoutSize,
  MemoryLayoutError,
  parseMemoryLayout,
  segmentAt,
  segmentSize,
} from "./memory_layout.ts";
export type { MemoryLayout, MemoryPage, MemorySegment } from "./memory_layout.ts";
export { DfuRequest, dfuRequestName, DfuseCommand } from "./requests.ts";
export { DfuState, dfuStateName } from "./state.ts";
export { DfuStatus, dfuStatusErrorCode, dfuStatusMeaning, dfuStatusName } from "./status.ts";
export { DFU_SIGNATURES } from "./known_chips.ts";
