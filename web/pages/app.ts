// Dashboard-only enhancements (owned by src/pages/app).
export {};
