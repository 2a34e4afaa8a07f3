// A user's own CommonJS file next to the adapter: instrumented when required.
exports.wait = async () => {
  await null;
};
