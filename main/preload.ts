import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('crashbell', {});
