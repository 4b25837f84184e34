// SETTINGS parameters (RFC 9113 §6.5): the initial values, the ones we advertise, and a peer's
// SETTINGS frame validated and applied (§6.5.2, §6.5.3), with the changes the connection must act on.
import { connectionError } from "./h2-error.js";
import {
  DEFAULT_HEADER_TABLE_SIZE,
  DEFAULT_INITIAL_WINDOW_SIZE,
  DEFAULT_MAX_FRAME_SIZE,
  MAX_ALLOWED_FRAME_SIZE,
  MAX_WINDOW_SIZE,
  SettingId,
  type Setting,
} from "./frame-types.js";

/** Settings holds one endpoint's SETTINGS values; Infinity stands for "no limit" (§6.5.2). */
export interface Settings {
  headerTableSize: number;
  enablePush: boolean;
  maxConcurrentStreams: number;
  initialWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
}

/** defaultSettings holds the initial values every endpoint starts from, before any SETTINGS (§6.5.2). */
export const defaultSettings: Readonly<Settings> = Object.freeze({
  headerTableSize: DEFAULT_HEADER_TABLE_SIZE,
  enablePush: true,
  maxConcurrentStreams: Infinity,
  initialWindowSize: DEFAULT_INITIAL_WINDOW_SIZE,
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxHeaderListSize: Infinity,
});

/** serverSettings holds what sockserve advertises by default: no push, bounded streams and headers. */
export const serverSettings: Readonly<Settings> = Object.freeze({
  headerTableSize: DEFAULT_HEADER_TABLE_SIZE,
  enablePush: false,
  maxConcurrentStreams: 100,
  initialWindowSize: 256 * 1024,
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxHeaderListSize: 32 * 1024,
});

/** settingsList gives the entries of `settings` that differ from `base`: the payload of our SETTINGS frame. */
export function settingsList(settings: Readonly<Settings>, base: Readonly<Settings> = defaultSettings): Setting[] {
  const list: Setting[] = [];
  const add = (id: number, value: number, was: number): void => {
    if (value !== was && Number.isFinite(value)) list.push({ id, value });
  };
  add(SettingId.HEADER_TABLE_SIZE, settings.headerTableSize, base.headerTableSize);
  add(SettingId.ENABLE_PUSH, settings.enablePush ? 1 : 0, base.enablePush ? 1 : 0);
  add(SettingId.MAX_CONCURRENT_STREAMS, settings.maxConcurrentStreams, base.maxConcurrentStreams);
  add(SettingId.INITIAL_WINDOW_SIZE, settings.initialWindowSize, base.initialWindowSize);
  add(SettingId.MAX_FRAME_SIZE, settings.maxFrameSize, base.maxFrameSize);
  add(SettingId.MAX_HEADER_LIST_SIZE, settings.maxHeaderListSize, base.maxHeaderListSize);
  return list;
}

/** SettingsUpdate is a peer's settings after one SETTINGS frame, and what changed. */
export interface SettingsUpdate {
  settings: Settings;
  /**
   * initialWindowDelta is the new SETTINGS_INITIAL_WINDOW_SIZE minus the old: add it to the send
   * window of every open stream (§6.9.2); it may make windows negative.
   */
  initialWindowDelta: number;
  /** headerTableSize is the new SETTINGS_HEADER_TABLE_SIZE for our HPACK encoder, or null if not sent. */
  headerTableSize: number | null;
  /** maxFrameSize is the new largest frame we may send, or null if not sent. */
  maxFrameSize: number | null;
}

/**
 * applySettings validates a peer's SETTINGS entries in order and returns the resulting settings
 * (`current` is not changed). Unknown identifiers are ignored (§6.5.2: "MUST ignore").
 */
export function applySettings(current: Readonly<Settings>, entries: readonly Setting[]): SettingsUpdate {
  const settings: Settings = { ...current };
  let headerTableSize: number | null = null;
  let maxFrameSize: number | null = null;
  for (const { id, value } of entries) {
    switch (id) {
      case SettingId.HEADER_TABLE_SIZE:
        settings.headerTableSize = headerTableSize = value;
        break;
      case SettingId.ENABLE_PUSH:
        if (value > 1) throw connectionError("PROTOCOL_ERROR", "SETTINGS_ENABLE_PUSH must be 0 or 1");
        settings.enablePush = value === 1;
        break;
      case SettingId.MAX_CONCURRENT_STREAMS:
        settings.maxConcurrentStreams = value;
        break;
      case SettingId.INITIAL_WINDOW_SIZE:
        // §6.5.2: "Values above the maximum flow-control window size of 2^31-1 MUST be treated as
        // a connection error of type FLOW_CONTROL_ERROR"
        if (value > MAX_WINDOW_SIZE) throw connectionError("FLOW_CONTROL_ERROR", "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
        settings.initialWindowSize = value;
        break;
      case SettingId.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > MAX_ALLOWED_FRAME_SIZE) {
          throw connectionError("PROTOCOL_ERROR", "SETTINGS_MAX_FRAME_SIZE outside 16384..16777215");
        }
        settings.maxFrameSize = maxFrameSize = value;
        break;
      case SettingId.MAX_HEADER_LIST_SIZE:
        settings.maxHeaderListSize = value;
        break;
    }
  }
  return { settings, initialWindowDelta: settings.initialWindowSize - current.initialWindowSize, headerTableSize, maxFrameSize };
}
