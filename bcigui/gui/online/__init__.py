"""Online decoding GUI: feedback displays and the online panel."""
