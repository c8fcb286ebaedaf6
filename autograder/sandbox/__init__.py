"""Running untrusted student code in a child process, and talking to it safely."""
