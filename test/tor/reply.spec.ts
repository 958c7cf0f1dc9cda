/* Control-protocol reply parsing, onion keys and Tor multiaddr targets: no tor needed. */
import { expect } from 'aegir/chai'
