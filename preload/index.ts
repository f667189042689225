/**
 * Preload: the narrow, typed bridge between the page and main. One named function per operation.
 */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('duet', {
  platform: process.platform,
});
