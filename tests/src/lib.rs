//! Test harness for web3270's end-to-end tests: starting and stopping real peers on loopback.
