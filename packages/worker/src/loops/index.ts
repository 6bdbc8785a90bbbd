// Importing this module registers every loop with the worker host.
import './maintenance';
import './dispatch';
import './imports';
import './launches';
import './inbox';
import './webhooks';
