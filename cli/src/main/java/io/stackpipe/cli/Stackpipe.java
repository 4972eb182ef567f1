package io.stackpipe.cli;
public class Stackpipe { public static void main(String[] a) {} }
