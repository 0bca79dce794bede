/** Injection tokens shared by the apps. */
export const READ_MODEL_POOL = Symbol('READ_MODEL_POOL');
export const INSTITUTIONS = Symbol('INSTITUTIONS');
export const PATIENT_KEYER = Symbol('PATIENT_KEYER');
export const PLATFORM_KEYS = Symbol('PLATFORM_KEYS');
export const LOGGER = Symbol('LOGGER');
