// collect: the capture command is built by the capture issue; this entry point keeps the project building.
return 0;
