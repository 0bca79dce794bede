export const TOKEN_PATH = '/auth/token';
