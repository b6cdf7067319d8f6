/**
 * Preloaded (`node -r`) into a client process to give it a wrong clock: Date runs SKEW_MS off the real time,
 * as on a gateway whose clock drifted. The emulator in the test process keeps the real time.
 */
const offset = Number(process.env.SKEW_MS || 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = SkewedDate;
