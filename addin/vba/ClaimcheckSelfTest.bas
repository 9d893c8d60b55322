Attribute VB_Name = "ClaimcheckSelfTest"
'claimcheck self-test: proves that this workbook's VBA project compiles and runs, without Python.
'Alt+F8 > ClaimcheckSelfTest > Run. It writes "claimcheck macros OK" into cell D1 of the hidden
'xlwings.conf sheet (beside the settings in columns A:B, which it never touches) and changes
'nothing else. The tests run it in LibreOffice to check the project is well-formed.
Option Explicit

Public Const CLAIMCHECK_SELF_TEST_MARKER As String = "claimcheck macros OK"

Sub ClaimcheckSelfTest()
    ThisWorkbook.Worksheets("xlwings.conf").Range("D1").Value = CLAIMCHECK_SELF_TEST_MARKER
End Sub
