/**
 * Checklist: handle session permission requests — and permission checks (DESIGN.md §6).
 *
 * Duet needs no camera, microphone, notifications, geolocation, HID, serial or USB: every request is
 * refused, and every synchronous check (what `navigator.permissions.query` and some APIs ask before
 * requesting) answers "not granted", so no feature is half-enabled.
 */

/** The bits of Electron's Session the handlers use. */
export interface PermissionSession {
  setPermissionRequestHandler(
    handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
  setDevicePermissionHandler?(handler: ((details: unknown) => boolean) | null): void;
}

export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
}
