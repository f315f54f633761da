/**
 * A simulated USB board for `--simulate CHIP` with DFU recipes, in-process (no lab): the chip's DfuSe
 * bootloader (`lib/sim/dfuse`), its application with a USB CDC port ({@linkcode CdcApplication}), and the
 * simulated bus that shows whichever of the two is running.
 *
 * The board starts in its bootloader (as `--simulate` does for USART recipes). Leaving DFU starts the
 * application (the DFU device leaves the bus, the CDC device 0483:5740 appears); opening the CDC port while the
 * bootloader runs first starts the application, as pressing reset without BOOT0 would. The application's
 * trigger (default 0xAA) brings the bootloader back.
 *
 * @module
 */

import { createMemoryPipe, type MemoryPipeEnd } from "../transport/memory_pipe.ts";
import type { UsbControlDevice } from "../transport/usb/control.ts";
import { describeSelector, matchesSelector, type UsbSelector } from "../transport/usb/selector.ts";
import { formatVidPid, UsbError } from "../transport/usb/usb_errors.ts";
import { CdcApplication } from "./cdc_app.ts";
import { createDfuseSimulator, type DfuseSimulator } from "./dfuse/dfuse_simulator.ts";
import { UsbLoopback } from "./dfuse/loopback.ts";
import type { DfusePartName } from "./dfuse/parts.ts";
import type { SimClock } from "./timing.ts";

/** USB identity of the application's CDC port: ST's Virtual COM Port VID:PID (STM32Cube CDC examples). */
export const CDC_APP_USB = { vendorId: 0x0483, productId: 0x5740 } as const;

/** A device on the simulated bus, as a listing shows it. */
export interface SimulatedBusDevice {
  /** Vendor id. */
  idVendor: number;
  /** Product id. */
  idProduct: number;
  /** Serial number string. */
  serialNumber: string;
  /** Port path on the simulated bus. */
  portPath: string;
  /** Product string. */
  product: string;
}

/** Options of {@linkcode SimulatedDfuBoard}. */
export interface SimulatedDfuBoardOptions {
  /** Initial flash contents. */
  flash?: Uint8Array;
  /** Flash timing clock (default: nothing waits). */
  clock?: SimClock;
  /** Polling interval of waits, ms (default 20). */
  pollMs?: number;
  /** 96-bit unique device ID (12 bytes), from which the bootloader derives its USB serial number. */
  uid?: Uint8Array;
}

/** What runs on the simulated board. */
export type BoardMode = "bootloader" | "application";

/** The simulated board. */
export class SimulatedDfuBoard {
  /** The DfuSe bootloader. */
  readonly dfu: DfuseSimulator;
  #mode: BoardMode = "bootloader";
  #cable: UsbLoopback | undefined;
  #cdcHost: MemoryPipeEnd | undefined;
  #cdcDevice: MemoryPipeEnd | undefined;
  #app: Promise<boolean> | undefined;
  readonly #pollMs: number;
  /** Every trigger sequence the application received (for tests). */
  readonly appReceived: number[][] = [];

  constructor(part: DfusePartName, options: SimulatedDfuBoardOptions = {}) {
    this.#pollMs = options.pollMs ?? 20;
    this.dfu = createDfuseSimulator(part, {
      flash: options.flash,
      clock: options.clock,
      uid: options.uid,
      onReset: (reason) => {
        // The device leaves the bus: transfers on the old cable fail from now on.
        this.#cable?.unplug();
        this.#cable = undefined;
        if (reason === "leave") this.startApplication();
      },
    });
  }

  /** What is running. */
  get mode(): BoardMode {
    return this.#mode;
  }

  /** The devices on the simulated bus now. */
  attached(): SimulatedBusDevice[] {
    if (this.#mode === "bootloader") {
      const { vendorId, productId } = this.dfu.profile.usb;
      return [{
        idVendor: vendorId,
        idProduct: productId,
        serialNumber: this.dfu.serial,
        portPath: "1-1",
        product: this.dfu.profile.product,
      }];
    }
    return [{
      idVendor: CDC_APP_USB.vendorId,
      idProduct: CDC_APP_USB.productId,
      serialNumber: this.dfu.serial,
      portPath: "1-1",
      product: "STM32 Virtual ComPort (simulated application)",
    }];
  }

  /** Opens the DFU device (the bootloader must be running): a fresh in-memory USB cable. */
  openDfu(selector: UsbSelector): UsbControlDevice {
    const found = this.attached().find((d) => matchesSelector(d, selector));
    if (!found || this.#mode !== "bootloader") {
      throw new UsbError("E_USB_NOT_FOUND", `no USB device matches ${describeSelector(selector)}`, {
        hint: `attached: ${this.#describeAttached()}`,
      });
    }
    this.#cable = new UsbLoopback(this.dfu);
    return this.#cable;
  }

  /** Starts the application: the DFU device leaves the bus, the CDC port appears. */
  startApplication(): void {
    if (this.#mode === "application") return;
    this.#cable?.unplug();
    this.#cable = undefined;
    this.#mode = "application";
    this.#startCdc();
  }

  /**
   * The host end of the application's CDC port (opening it while the bootloader runs starts the application
   * first, and a port the host closed earlier is opened afresh).
   */
  openCdc(): MemoryPipeEnd {
    if (this.#mode === "bootloader") this.startApplication();
    if (!this.#cdcHost || this.#cdcHost.closed) return this.#startCdc();
    return this.#cdcHost;
  }

  /** Waits until a device matching `selector` is attached (`present`) or not; returns it (or undefined). */
  async waitFor(selector: UsbSelector, present: boolean, timeoutMs: number): Promise<SimulatedBusDevice | undefined> {
    const deadline = Date.now() + timeoutMs;
    const seen = new Set<string>();
    while (true) {
      const devices = this.attached();
      for (const d of devices) seen.add(describe(d));
      const found = devices.find((d) => matchesSelector(d, selector));
      if (present && found) return found;
      if (!present && !found) return undefined;
      if (Date.now() >= deadline) {
        throw new UsbError(
          "E_USB_WAIT_TIMEOUT",
          present
            ? `no USB device matching ${describeSelector(selector)} appeared within ${timeoutMs} ms`
            : `USB device ${describeSelector(selector)} was still attached after ${timeoutMs} ms`,
          { hint: `seen meanwhile: ${[...seen].join("; ") || "no USB devices at all"}` },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
  }

  /** Stops the application model. */
  async close(): Promise<void> {
    this.#cable?.unplug();
    await this.#cdcDevice?.close();
    await this.#app;
  }

  /** A fresh CDC port served by a fresh application model; returns the host end. */
  #startCdc(): MemoryPipeEnd {
    const [host, device] = createMemoryPipe();
    this.#cdcHost = host;
    this.#cdcDevice = device;
    const app = new CdcApplication({
      onTrigger: async () => {
        this.appReceived.push(app.received.slice());
        await device.close();
        this.#mode = "bootloader";
      },
    });
    this.#app = app.run(device);
    return host;
  }

  #describeAttached(): string {
    return this.attached().map(describe).join("; ");
  }
}

function describe(device: SimulatedBusDevice): string {
  return `${device.portPath} ${
    formatVidPid(device.idVendor, device.idProduct)
  } "${device.product}" serial ${device.serialNumber}`;
}
