/** Injection tokens shared by the apps. */
export const READ_MODEL_POOL = Symbol('READ_MODEL_POOL');
export const INSTITUTIONS = Symbol('INSTITUTIONS');
export const PATIENT_KEYER = Symbol('PATIENT_KEYER');
export const PLATFORM_KEYS = Symbol('PLATFORM_KEYS');
export const LOGGER = Symbol('LOGGER');
/** The recognition eligibility service (libs/recognition), where an app is given one. */
export const RECOGNITION_ELIGIBILITY = Symbol('RECOGNITION_ELIGIBILITY');
