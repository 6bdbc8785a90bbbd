/** The API's version, in the spec and the MCP server's name. */
export const API_VERSION = '0.1.0';
