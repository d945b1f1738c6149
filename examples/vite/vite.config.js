// Relative asset URLs, so the build can be served under any path.
export default { base: "./" };
