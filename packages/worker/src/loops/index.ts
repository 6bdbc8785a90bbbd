// Importing this module registers every loop with the worker host.
import './maintenance';
import './imports';
export {};
